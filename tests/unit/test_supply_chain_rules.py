"""Load-time rules of the supply_chain section: a failing and a passing case each."""

from __future__ import annotations

import pytest

from tests.unit.helpers import edit, error_for, loads


def gate(data: dict) -> dict:
    return data["supply_chain"]["scan_gate"]


def test_reference_configuration_has_signing_and_gate_everywhere(config_dir):
    for env in loads(config_dir).environments:
        assert env.supply_chain is not None
        assert env.supply_chain.signing is not None and env.supply_chain.scan_gate is not None


def test_rejects_a_signature_valid_longer_than_135_months(config_dir):
    edit(
        config_dir,
        "dev",
        lambda d: d["supply_chain"]["signing"].update(signature_validity={"value": 12, "type": "YEARS"}),
    )
    message = error_for(config_dir, "[SIGN-VALIDITY]")
    assert "supply_chain.signing.signature_validity" in message and "'12 YEARS'" in message


@pytest.mark.parametrize(
    "validity",
    [{"value": 135, "type": "MONTHS"}, {"value": 11, "type": "YEARS"}, {"value": 30, "type": "DAYS"}],
)
def test_accepts_validity_up_to_135_months(config_dir, validity):
    edit(config_dir, "dev", lambda d: d["supply_chain"]["signing"].update(signature_validity=validity))
    assert loads(config_dir)


def test_rejects_an_unknown_validity_unit(config_dir):
    edit(
        config_dir,
        "dev",
        lambda d: d["supply_chain"]["signing"].update(signature_validity={"value": 2, "type": "WEEKS"}),
    )
    assert "signature_validity.type" in error_for(config_dir, "signature_validity.type")


@pytest.mark.parametrize(
    ("protocol", "endpoint"),
    [
        ("email", "security-at-example.com"),
        ("https", "http://hooks.example.com/x"),
        ("sqs", "arn:aws:sns:ap-northeast-1:111111111111:not-a-queue"),
        ("lambda", "my-function"),
        ("sms", "090-1234-5678"),
    ],
)
def test_rejects_an_endpoint_that_does_not_fit_the_protocol(config_dir, protocol, endpoint):
    edit(
        config_dir,
        "dev",
        lambda d: gate(d).update(subscriptions=[{"protocol": protocol, "endpoint": endpoint}]),
    )
    message = error_for(config_dir, "[GATE-SUB-ENDPOINT]")
    assert "supply_chain.scan_gate.subscriptions[0].endpoint" in message and repr(endpoint) in message


@pytest.mark.parametrize(
    "endpoint",
    [
        'https://hooks.example.com/${file("/etc/hostname")}',
        "https://hooks.example.com/%{ if true }x%{ endif }",
        "https://hooks.example.com/{id}",
        "https://hooks.example.com/a b",
    ],
)
def test_rejects_an_https_endpoint_with_characters_a_url_cannot_hold(config_dir, endpoint):
    edit(
        config_dir,
        "dev",
        lambda d: gate(d).update(subscriptions=[{"protocol": "https", "endpoint": endpoint}]),
    )
    message = error_for(config_dir, "[GATE-SUB-ENDPOINT]")
    assert "supply_chain.scan_gate.subscriptions[0].endpoint" in message and repr(endpoint) in message
    assert "RFC 3986" in message and "%7B" in message


def test_accepts_percent_encoded_and_basic_auth_https_endpoints(config_dir):
    subs = [
        {"protocol": "https", "endpoint": "https://user:pass@hooks.example.com:8443/scan?q=%7Bx%7D&a=$1#f"},
    ]
    edit(config_dir, "dev", lambda d: gate(d).update(subscriptions=subs))
    [sub] = loads(config_dir).environments[0].supply_chain.scan_gate.subscriptions
    assert sub.endpoint == subs[0]["endpoint"]


def test_accepts_endpoints_that_fit_their_protocols(config_dir):
    subs = [
        {"protocol": "email", "endpoint": "security@example.com"},
        {"protocol": "https", "endpoint": "https://hooks.example.com/scan"},
        {"protocol": "sqs", "endpoint": "arn:aws:sqs:ap-northeast-1:111111111111:findings"},
        {"protocol": "lambda", "endpoint": "arn:aws:lambda:ap-northeast-1:111111111111:function:notify"},
        {"protocol": "sms", "endpoint": "+819012345678"},
    ]
    edit(config_dir, "dev", lambda d: gate(d).update(subscriptions=subs))
    assert len(loads(config_dir).environments[0].supply_chain.scan_gate.subscriptions) == 5


def test_rejects_plain_http_subscriptions(config_dir):
    edit(
        config_dir,
        "dev",
        lambda d: gate(d).update(subscriptions=[{"protocol": "http", "endpoint": "http://x.example"}]),
    )
    assert "subscriptions[0].protocol" in error_for(config_dir, "subscriptions[0].protocol")


def test_rejects_a_log_retention_cloudwatch_does_not_offer(config_dir):
    edit(config_dir, "dev", lambda d: gate(d).update(log_retention_days=100))
    message = error_for(config_dir, "[LOGS-RETENTION]")
    assert "supply_chain.scan_gate.log_retention_days" in message and "got 100" in message


def test_accepts_a_log_retention_cloudwatch_offers(config_dir):
    edit(config_dir, "dev", lambda d: gate(d).update(log_retention_days=3653))
    assert loads(config_dir)


def test_warns_when_the_scanning_type_is_unknown(config_dir):
    edit(config_dir, "dev", lambda d: d["ecr"]["registry"].pop("scanning"))
    warnings = [w.render() for w in loads(config_dir).warnings]
    assert any("[GATE-SCAN-TYPE]" in w and "supply_chain.scan_gate" in w for w in warnings)


def test_no_scanning_type_warning_when_the_type_is_known(config_dir):
    assert not any("[GATE-SCAN-TYPE]" in w.render() for w in loads(config_dir).warnings)
