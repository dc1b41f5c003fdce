"""The API's OpenAPI document says what each operation answers (issue #13)."""

import pytest

ERRORS = {"400", "401", "403", "404", "422", "429"}
WRITE_ERRORS = ERRORS | {"409", "413"}


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").json()


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_the_document_is_openapi_3_1(document):
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"] == "Tether API"


def test_every_operation_documents_its_error_answers(document):
    for path, method, operation in operations(document):
        expected = ERRORS if method == "get" else WRITE_ERRORS
        documented = set(operation["responses"])
        assert expected <= documented, (method, path, expected - documented)
        assert documented & {"200", "201"}, (method, path)


def test_every_operation_needs_a_bearer_token(document):
    schemes = document["components"]["securitySchemes"]
    assert {s["scheme"] for s in schemes.values()} == {"bearer"}
    for path, method, operation in operations(document):
        assert operation.get("security"), (method, path)


def test_every_list_is_paged_by_cursor(document):
    schemas = document["components"]["schemas"]
    lists = []
    for path, _method, operation in operations(document):
        returns = operation["responses"].get("200", {}).get("content", {})
        schema = returns.get("application/json", {}).get("schema", {})
        shape = schemas.get(schema.get("$ref", "").rsplit("/", 1)[-1], schema)
        if shape.get("type") == "array" or "results" in shape.get("properties", {}):
            lists.append(path)
            assert set(shape["properties"]) == {"previous", "next", "results"}, path
            names = {p["name"] for p in operation.get("parameters", [])}
            assert {"cursor", "page_size"} <= names, path
    assert len(lists) == 8, lists


def test_the_docs_page_uses_its_own_assets_not_a_cdn(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
