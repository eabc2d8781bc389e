"""A council as the API shows it (SPEC §9): to its own people, and to the operator who made it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from workflow.models import Council, pk
from workflow.people.read import UserCreated


class CouncilOut(BaseModel):
    id: int
    name: str
    slug: str

    @classmethod
    def of(cls, council: Council) -> CouncilOut:
        return cls(id=pk(council.id), name=council.name, slug=council.slug)


class CouncilCreated(CouncilOut):
    admin_token: str = Field(
        description="The first admin's bearer token; shown this once and never again."
    )
    admin: UserCreated

    @classmethod
    def made(cls, council: Council, admin: UserCreated) -> CouncilCreated:
        return cls(**CouncilOut.of(council).model_dump(), admin_token=admin.token, admin=admin)


class ConstitutionOut(CouncilOut):
    settings: dict[str, Any] = Field(
        description="What the council's constitution sets differently from the installation."
    )
    effective: dict[str, Any] = Field(description="The settings its rules use.")
