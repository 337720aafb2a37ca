"""API plumbing shared by every app: Chinese error bodies, 404 for anything out of scope, strict input.

Three rules every API view follows, built once here:

* **Scope.** :class:`ScopedViewSetMixin` starts every queryset from ``Model.objects.visible_to(user)``,
  so an object outside the caller's jurisdiction does not exist for them: detail, update and every
  custom action answer 404, never 403 (security.md §3, IDOR).
* **Capability after lookup.** Writes check the role's capability *after* the object lookup, so an
  out-of-scope id is a 404 for everybody and a visible one is a 403 for a read-only role.
* **Field-level rules.** :class:`FieldRulesJSONRenderer` renders every API response and nulls, at any
  depth, each field named in ``accounts.roles.FIELD_CAPABILITIES`` that the caller's role may not
  receive (bank account masks, disability detail, birth dates): one net under every serializer, present
  and future, as ``visible_to`` is for rows (ASVS 8.2.3, BOPLA). :func:`nullable_labelled_fields` makes
  the OpenAPI document say so.
* **Strict input.** :class:`StrictInputMixin` refuses fields a serializer does not accept (mass
  assignment, security.md §3) instead of silently dropping them, so a client sending ``status`` or
  ``village`` in a PATCH learns that it had no effect.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.views import exception_handler as drf_exception_handler

__all__ = [
    "exception_handler",
    "Conflict",
    "ScopedViewSetMixin",
    "StrictInputMixin",
    "NoBodySerializer",
    "flatten_errors",
    "withhold",
    "FieldRulesJSONRenderer",
    "nullable_labelled_fields",
]


class Conflict(exceptions.APIException):
    """409: the client edited a stale copy (optimistic locking)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("该记录已被他人修改，请刷新后重新编辑。")
    default_code = "stale"


def _codes(exc: DjangoValidationError) -> set[str]:
    """Every error code inside a Django ``ValidationError`` (single, list or dict form)."""
    if hasattr(exc, "error_dict"):
        return {e.code for errs in exc.error_dict.values() for e in errs if e.code}
    return {e.code for e in exc.error_list if e.code}


def _error_key(prefix: str, key: Any) -> str:
    if isinstance(key, int):  # ListField errors are keyed by position
        return f"{prefix}[{key}]"
    return f"{prefix}.{key}" if prefix else str(key)


def flatten_errors(detail: Any, prefix: str = "") -> Any:
    """Flatten DRF's nested error structure into dotted keys (``members[1].relation``).

    The actions key their errors the same way (``members[0].id_number``), so a client sees one shape
    whether a serializer or an action refused the input.
    """
    if isinstance(detail, dict):
        out: dict[str, Any] = {}
        for key, value in detail.items():
            name = _error_key(prefix, key)
            sub = flatten_errors(value, name)
            out.update(sub if isinstance(sub, dict) else {name: sub})
        return out
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        out = {}
        for i, item in enumerate(detail):
            if item:
                sub = flatten_errors(item, f"{prefix}[{i}]")
                out.update(sub if isinstance(sub, dict) else {f"{prefix}[{i}]": sub})
        return out
    return {prefix: detail} if prefix else detail


def exception_handler(exc, context):
    """Turn model/action ``ValidationError``s into 400 with field messages (409 for a stale edit),
    ``PermissionDenied`` into 403; keep DRF's handling otherwise, with nested errors flattened."""
    if isinstance(exc, DjangoValidationError):
        if "stale" in _codes(exc):
            exc = Conflict(" ".join(exc.messages))
        else:
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        # DRF answers 403 when the first authenticator (session) has no challenge; a failed login is a 401.
        response.status_code = status.HTTP_401_UNAUTHORIZED
        response["WWW-Authenticate"] = 'Basic realm="api"'
    if response is not None and isinstance(exc, exceptions.ValidationError) and isinstance(response.data, dict):
        response.data = flatten_errors(response.data)
    return response


class ScopedViewSetMixin:
    """Base for API views of scoped models: the queryset always starts from ``visible_to(user)``.

    Subclasses set ``scoped_model`` and may override :meth:`scope_queryset` to add
    ``select_related``/``prefetch_related`` or filters; they never start from ``objects.all()``.
    """

    scoped_model: Any = None

    def scope_queryset(self, qs):
        """Hook for subclasses: narrow or prefetch the already-scoped queryset."""
        return qs

    def get_queryset(self):
        user = getattr(self.request, "user", None)
        return self.scope_queryset(self.scoped_model.objects.visible_to(user))

    def require(self, capability: str) -> None:
        """403 unless the caller's role grants ``capability`` (call after the object lookup)."""
        user = self.request.user
        if not getattr(user, "is_authenticated", False) or not user.can(capability):
            raise exceptions.PermissionDenied(_("您的角色无权进行此操作。"))


class StrictInputMixin:
    """Serializer mixin: refuse any input key that is not a writable field of the serializer."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data.keys()) - writable)
            if unknown:
                raise serializers.ValidationError({k: [_("不能设置或修改此字段。")] for k in unknown})
        return super().to_internal_value(data)


class NoBodySerializer(StrictInputMixin, serializers.Serializer):
    """The body of an operation that takes no input: any field sent is refused, by name."""


def withhold(data: Any, hidden: frozenset[str]) -> Any:
    """``data`` with the value of every key in ``hidden`` replaced by None, at any depth."""
    if not hidden:
        return data
    if isinstance(data, dict):
        return {k: (None if k in hidden else withhold(v, hidden)) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [withhold(v, hidden) for v in data]
    return data


class FieldRulesJSONRenderer(JSONRenderer):
    """JSON, with the labelled fields the caller may not receive set to null (see the module docstring)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        from tuopin.accounts.roles import FIELD_CAPABILITIES

        request = (renderer_context or {}).get("request")
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            hidden = user.withheld_fields
        else:
            hidden = frozenset(FIELD_CAPABILITIES)
        return super().render(withhold(data, hidden), accepted_media_type, renderer_context)


def nullable_labelled_fields(result, generator, request, public):
    """drf-spectacular post-processing hook: every labelled field may be null (withheld by role)."""
    from tuopin.accounts.roles import FIELD_CAPABILITIES

    for cname, component in result.get("components", {}).get("schemas", {}).items():
        if cname.endswith("Request"):  # input components (COMPONENT_SPLIT_REQUEST): null is not accepted there
            continue
        for name, prop in (component.get("properties") or {}).items():
            if name in FIELD_CAPABILITIES and not prop.get("nullable"):
                if "$ref" in prop:  # siblings of $ref are ignored in OpenAPI 3.0: wrap it
                    component["properties"][name] = {"allOf": [prop], "nullable": True}
                else:
                    prop["nullable"] = True
    return result
