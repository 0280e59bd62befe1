import datetime as dt
from collections import Counter

from matching.ingest.synthetic import LeipzigGenerator
from matching.taxonomy.profiles import validate_concepts
from models import RecognitionStatus

TODAY = dt.date(2026, 11, 1)


def test_same_seed_same_data(taxonomy):
    a = LeipzigGenerator(taxonomy, seed=3, today=TODAY).generate(30, 5)
    b = LeipzigGenerator(taxonomy, seed=3, today=TODAY).generate(30, 5)
    assert a == b
    c = LeipzigGenerator(taxonomy, seed=4, today=TODAY).generate(30, 5)
    assert a.jobseekers != c.jobseekers


def test_generated_entities_are_valid_and_varied(taxonomy):
    data = LeipzigGenerator(taxonomy, seed=1, today=TODAY).generate(600, 60)
    for item in (*data.jobseekers, *data.vacancies):
        validate_concepts(item, taxonomy)  # raises on any unknown concept
    assert len({s.id for s in data.jobseekers}) == 600
    countries = Counter(s.qualifications[0].country for s in data.jobseekers)
    assert countries.most_common(1)[0][0] == "UA"
    german = Counter(s.language_level("de") for s in data.jobseekers)
    assert len(german) >= 6  # A1…C2 and some without German
    places = {s.home.place for s in data.jobseekers}
    assert len(places) > 20
    assert all(s.home.has_coordinates and 51.0 < s.home.lat < 51.6 for s in data.jobseekers)
    recognition = Counter(q.recognition for s in data.jobseekers for q in s.qualifications)
    assert recognition[RecognitionStatus.NOT_REQUIRED] > 0
    assert {RecognitionStatus.PENDING, RecognitionStatus.PARTIAL, RecognitionStatus.FULL} <= set(recognition)
    statuses = Counter(s.work_authorisation.status for s in data.jobseekers)
    assert len(statuses) == 4
    assert {v.occupation_uri for v in data.vacancies} <= set(taxonomy.occupations)
