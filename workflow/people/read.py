"""A person as the API shows them: the read model of ``GET /me`` and of a created user."""

from __future__ import annotations

from pydantic import BaseModel, Field

from workflow.models import Role, User, pk


class UserOut(BaseModel):
    id: int
    name: str
    email: str
    roles: list[Role]
    directorate: str | None
    active: bool = Field(description="False once an admin deactivated the person")

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=pk(user.id),
            name=user.name,
            email=user.email,
            roles=[Role(r) for r in user.roles],
            directorate=user.directorate,
            active=user.active,
        )


class UserCreated(UserOut):
    token: str = Field(description="The bearer token; shown this once and never again.")

    @classmethod
    def with_token(cls, user: User, token: str) -> UserCreated:
        return cls(**UserOut.of(user).model_dump(), token=token)
