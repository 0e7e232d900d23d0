"""An oauth2-mock-server process (tests/oidc/jwt_mock_idp.mjs, npm packages pinned in tests/oidc)
for the auth integration tests; claims come from the token/authorize requests."""

import idp_process


def require_node_modules():
    idp_process.require_node_package("oauth2-mock-server")


class MockIdp(idp_process.NodeProvider):
    """Starts the provider on a free loopback port; waits for its discovery document."""

    def __init__(self, algs="RS256"):
        super().__init__("jwt_mock_idp.mjs", {"ALGS": algs}, "oauth2-mock-server")
