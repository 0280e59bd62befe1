"""Typed dependencies: routes declare what they need, tests override ``get_matcher``."""

from typing import Annotated

from fastapi import Depends, Request

from matching.service import Matcher


def get_matcher(request: Request) -> Matcher:
    return request.app.state.matcher


MatcherDep = Annotated[Matcher, Depends(get_matcher)]
