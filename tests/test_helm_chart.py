"""What the Helm chart renders: the properties an operator relies on, beyond what
``helm lint`` and the Kubernetes schemas (``make chart``) check.

The helm binary is the one ``make chart`` fetches (``LINLI_TEST_HELM``); without it these
tests are skipped, except under CI.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHART = ROOT / "helm" / "linli"
HELM = Path(os.environ.get("LINLI_TEST_HELM", ROOT / ".venv" / "helm" / "helm"))
TENANT_FILES = sorted((ROOT / "tenants").glob("*.yaml"))
PRODUCTION = [
    "-f",
    str(CHART / "ci" / "production-values.yaml"),
    *(arg for f in TENANT_FILES for arg in ("--set-file", f"tenants.files.{f.stem}={f}")),
]

Manifest = dict[str, Any]


def _helm(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    if not HELM.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs helm at {HELM} (make chart fetches it)")
        pytest.skip(f"no helm at {HELM}; `make chart` fetches it")
    xdg = {name: str(tmp_path) for name in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME")}
    return subprocess.run(
        [str(HELM), "template", "linli", str(CHART), *args],
        env={**os.environ, **xdg},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _render(tmp_path: Path, *args: str) -> list[Manifest]:
    done = _helm(tmp_path, *args)
    assert done.returncode == 0, done.stderr
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


def _one(manifests: list[Manifest], kind: str, name: str) -> Manifest:
    found = [m for m in manifests if m["kind"] == kind and m["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)}"
    return found[0]


def _pods(manifests: list[Manifest]) -> dict[str, Manifest]:
    return {
        m["metadata"]["name"]: m["spec"]["template"]["spec"]
        for m in manifests
        if m["kind"] in ("Deployment", "Job")
    }


def _env(container: Manifest) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}


def _hook(manifest: Manifest) -> tuple[str, int]:
    annotations = manifest["metadata"]["annotations"]
    return annotations["helm.sh/hook"], int(annotations["helm.sh/hook-weight"])


def test_every_pod_runs_non_root_on_a_read_only_root(tmp_path: Path) -> None:
    pods = _pods(_render(tmp_path))
    assert set(pods) == {"linli-web", "linli-worker", "linli-scheduler", "linli-migrate"}
    for name, pod in pods.items():
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["automountServiceAccountToken"] is False, name
        volumes = {v["name"]: v for v in pod["volumes"]}
        assert "emptyDir" in volumes["tmp"], name
        for container in pod.get("initContainers", []) + pod["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["capabilities"]["drop"] == ["ALL"], name
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            assert mounts["/tmp"] == "tmp"
            assert mounts["/var/lib/linli"] == "instance"
            assert _env(container)["LINLI_INSTANCE_PATH"] == "/var/lib/linli"
            assert _env(container)["LINLI_MAX_CONTENT_LENGTH"] == "1048576"


def test_web_probes_and_graceful_stop(tmp_path: Path) -> None:
    web = _pods(_render(tmp_path))["linli-web"]
    (container,) = web["containers"]
    assert container["args"][:3] == ["gunicorn", "-c", "python:linli.gunicorn_config"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    env = _env(container)
    sleep = int(container["lifecycle"]["preStop"]["exec"]["command"][1])
    assert sleep + int(env["LINLI_WEB_GRACEFUL_TIMEOUT"]) < web["terminationGracePeriodSeconds"]
    assert env["PROMETHEUS_MULTIPROC_DIR"].startswith("/tmp/")
    assert env["LINLI_PROXY_HOPS"] == "1"  # behind the ingress: rate limits count clients


def test_migrations_run_before_install_and_upgrade_with_what_they_read(tmp_path: Path) -> None:
    manifests = _render(tmp_path, *PRODUCTION)
    job = _one(manifests, "Job", "linli-migrate")
    tenants = _one(manifests, "ConfigMap", "linli-tenants")
    assert _hook(job) == ("pre-install,pre-upgrade", 0)
    assert _hook(tenants)[0] == "pre-install,pre-upgrade"
    assert _hook(tenants)[1] < _hook(job)[1]
    pod = job["spec"]["template"]["spec"]
    (upgrade,) = pod["initContainers"]
    (apply,) = pod["containers"]
    assert upgrade["args"] == ["linli", "db", "upgrade"]
    assert apply["args"] == ["linli", "tenants", "apply", "/etc/linli/tenants"]
    assert "LINLI_DATABASE_ADMIN_URL" in _env(upgrade)
    assert {m["mountPath"] for m in apply["volumeMounts"]} >= {"/etc/linli/tenants"}
    assert tenants["data"] == {
        f"{f.stem}.yaml": f.read_text(encoding="utf-8") for f in TENANT_FILES
    }


def test_existing_secret_is_used_everywhere_and_no_secret_rendered(tmp_path: Path) -> None:
    manifests = _render(tmp_path, *PRODUCTION)
    assert [m for m in manifests if m["kind"] == "Secret"] == []
    for name, pod in _pods(manifests).items():
        for container in pod.get("initContainers", []) + pod["containers"]:
            refs = {
                v["secretKeyRef"]["name"] for v in _env(container).values() if isinstance(v, dict)
            }
            assert refs == {"linli-production"}, name


def test_chart_secret_has_a_hook_copy_with_the_same_key_for_the_migration(
    tmp_path: Path,
) -> None:
    manifests = _render(tmp_path, "--set", "secrets.secretKey=s3cret")
    kept = _one(manifests, "Secret", "linli")
    copy = _one(manifests, "Secret", "linli-migrate")
    assert "helm.sh/hook" not in kept["metadata"].get("annotations", {})
    assert _hook(copy) == ("pre-install,pre-upgrade", -10)
    assert copy["data"]["secret-key"] == kept["data"]["secret-key"]
    assert "database-admin-url" in copy["data"]
    assert "database-admin-url" not in kept["data"]  # running pods never get the owner


def test_production_scaling_and_wildcard_ingress(tmp_path: Path) -> None:
    manifests = _render(tmp_path, *PRODUCTION)
    for component in ("web", "worker"):
        hpa = _one(manifests, "HorizontalPodAutoscaler", f"linli-{component}")
        assert hpa["spec"]["scaleTargetRef"]["name"] == f"linli-{component}"
        assert "replicas" not in _one(manifests, "Deployment", f"linli-{component}")["spec"]
        assert _one(manifests, "PodDisruptionBudget", f"linli-{component}")
    scheduler = _one(manifests, "Deployment", "linli-scheduler")["spec"]
    assert scheduler["replicas"] == 1
    assert scheduler["strategy"]["type"] == "Recreate"
    ingress = _one(manifests, "Ingress", "linli")["spec"]
    hosts = ["linli.fuqing.example.cn", "*.linli.fuqing.example.cn", "linli.minghui.example.cn"]
    assert [rule["host"] for rule in ingress["rules"]] == hosts
    assert ingress["tls"] == [{"secretName": "linli-fuqing-wildcard", "hosts": hosts}]
    claim = _one(manifests, "PersistentVolumeClaim", "linli-instance")
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]


@pytest.mark.parametrize(
    "override",
    [
        "web.replica=3",  # a typo
        "web.workers=zero",
        "worker.queues={default,urgent}",
        "securityContext.readOnlyRootFilesystem=false",
        "secrets.redisUrl=localhost:6379",
        "config.proxyHops=-1",
    ],
)
def test_values_schema_refuses(tmp_path: Path, override: str) -> None:
    done = _helm(tmp_path, "--set", override)
    assert done.returncode != 0
    assert "values don't meet the specifications of the schema" in done.stderr
