"""OpenAPI description of tuopin's HTTP Basic authentication (registered when the app is ready)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TuopinBasicScheme(OpenApiAuthenticationExtension):
    target_class = "tuopin.accounts.security.TuopinBasicAuthentication"
    name = "basicAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "basic",
            "description": "仅限不需要双因素认证的角色；管理员与审批员须通过网页登录。",
        }
