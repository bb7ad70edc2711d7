"""One model per product on a dask.distributed LocalCluster (worker
processes), gathered: equal to running the same fits one by one in this
process. Uses examples/python/dask_by_product.py itself."""
import importlib.util
import os

import pytest

from conftest import ROOT, shared_data_dir

distributed = pytest.importorskip("distributed")


def load_example():
    path = os.path.join(ROOT, "examples", "python", "dask_by_product.py")
    spec = importlib.util.spec_from_file_location("dask_by_product", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_per_product_fits_on_a_local_cluster_equal_one_by_one():
    example = load_example()
    panel = example.load_panel(shared_data_dir())
    products = sorted(panel["Product"].unique())
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    with cluster, distributed.Client(cluster) as client:
        gathered = example.by_product(client, panel)
        workers = {worker for worker in client.scheduler_info()["workers"]}
    assert len(workers) == 2
    assert [row["product"] for row in gathered] == products
    for row in gathered:
        local = example.fit_product(row["product"],
                                    panel[panel["Product"] == row["product"]].reset_index(
                                        drop=True))
        assert row["converged"]
        assert row["nobs"] == local["nobs"]
        # Same library, same data, one thread each: identical to the last bit.
        assert row["coef"] == local["coef"]
        assert row["se"] == local["se"]
    # Distance elasticities differ across products (the point of splitting).
    coefs = [row["coef"]["log(dist_km)"] for row in gathered]
    assert max(coefs) - min(coefs) > 0.1
