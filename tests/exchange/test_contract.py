"""The shipped exchange contract is a valid OpenAPI 3.1 document and says what the issue asks."""

from __future__ import annotations

from openapi_spec_validator import validate

from motcua.exchange.contract import VERSION, contract


def test_the_contract_is_valid_openapi_with_every_operation() -> None:
    doc = contract()
    validate(doc)
    assert doc["info"]["version"] == VERSION and doc["servers"] == [{"url": "/exchange/v1"}]
    operations = {op["operationId"] for path in doc["paths"].values() for op in path.values()}
    assert operations == {
        "health",
        "deliverDossier",
        "lookUpDossier",
        "reportStatus",
        "synchroniseCatalog",
        "fetchDocument",
        "addDocuments",
        "deliverFeedback",
        "reportFeedbackStatus",
        "takeFeedbackStep",
        "addFeedbackDocuments",
        "publishFeedbackAnswer",
        "announceDocuments",
        "findDocuments",
        "fetchHolderDocument",
        "fetchStoredDocument",
    }
    signed = [op for path in doc["paths"].values() for op in path.values() if op.get("security") != []]
    for op in signed:  # every operation but health names the signature headers
        headers = {p["$ref"].rsplit("/", 1)[1] for p in op["parameters"] if "$ref" in p}
        assert {"Member", "MessageId", "Timestamp", "Signature"} <= headers, op["operationId"]
    delivery = doc["components"]["schemas"]["FeedbackDelivery"]
    assert {"reference", "sender", "filedAt"} <= set(delivery["required"])
    assert "sender" not in doc["components"]["schemas"]["FeedbackStatus"]["properties"]  # no personal data back
    change = doc["components"]["schemas"]["StatusChange"]
    assert change["properties"]["statusCode"]["maximum"] == 10 and "sequence" in change["required"]


def test_the_server_serves_exactly_the_contract() -> None:
    from fastapi.routing import APIRoute

    from motcua.api.exchange import router

    served = {
        (route.path.removeprefix("/exchange/v1"), method.lower())
        for route in router.routes
        if isinstance(route, APIRoute) and route.path != "/exchange/v1/openapi.yaml"
        for method in route.methods
    }
    written = {(path, method) for path, item in contract()["paths"].items() for method in item}
    assert served == written
