from tests.support.estate import Estate


def test_capacity_some_autoscaled_is_level_3(tmp_path):
    estate = Estate()
    estate.many(3, "compute.instance", state="running", autoscaled=True)
    estate.many(7, "compute.instance", state="running", autoscaled=False)
    estate.covered("compute.autoscaling_group")
    result = estate.score(tmp_path, "cost.capacity")
    assert result.suggested_level == 3
    assert result.answer == 3
    assert result.confidence == "high"


def test_capacity_denied_instances_is_unknown(tmp_path):
    estate = Estate()
    estate.denied("compute.instance")
    estate.covered("compute.autoscaling_group")
    result = estate.score(tmp_path, "cost.capacity")
    assert result.suggested_level is None
    assert result.answer == 0
