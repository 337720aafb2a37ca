from tests.cases.conftest import api  # noqa: F401 - the leak-checking JSON client
