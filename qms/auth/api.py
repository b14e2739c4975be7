from flask import jsonify
from flask_login import current_user

from qms.api import api_route
from qms.core.access import SIGNED_IN, allow

USER_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "username": {"type": "string"},
        "full_name": {"type": "string"},
        "email": {"type": "string", "nullable": True},
        "locale": {"type": "string"},
        "roles": {"type": "array", "items": {"type": "string"}},
        "units": {"type": "array", "items": {"type": "object"}},
        "commune": {"type": "object"},
    },
}


@allow(SIGNED_IN)
@api_route(
    "/me",
    summary="The signed-in user",
    tags=["accounts"],
    responses={
        "200": {
            "description": "The user the token belongs to",
            "content": {"application/json": {"schema": USER_SCHEMA}},
        }
    },
)
def me():
    user = current_user
    return jsonify(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        email=user.email,
        locale=user.locale,
        roles=sorted(user.role_codes),
        units=[{"id": u.id, "code": u.code, "name": u.name} for u in user.units],
        commune={"id": user.commune.id, "code": user.commune.code, "name": user.commune.name},
    )
