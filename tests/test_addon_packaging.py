"""The addons as OCA ships them, checked without Odoo: README.rst and
static/description/index.html generated from the current readme/ fragments,
the manifests' metadata, and the wheels whool builds for each series.

(The wheels installed into a fresh virtual environment and run by Odoo:
scripts/test_wheel.sh, run by `make test` per Odoo series.)
"""

import ast
import email.parser
import importlib.util
import re
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ("pleo_connector", "pleo_connector_queue_job")


def load_script(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def manifest(addon):
    return ast.literal_eval((ROOT / addon / "__manifest__.py").read_text("utf-8"))


@pytest.mark.parametrize("addon", ADDONS)
def test_readme_generated_from_current_fragments(addon):
    gen = load_script("gen_addon_readme")
    addon_dir = ROOT / addon
    assert gen.recorded_digests(addon_dir) == [gen.source_digest(addon_dir)] * 2, (
        f"{addon}/README.rst or static/description/index.html is out of date with "
        "readme/ and the manifest: run `pre-commit run gen-addon-readme "
        "--all-files` (or python scripts/gen_addon_readme.py with pypandoc-binary)"
    )


@pytest.mark.parametrize("addon", ADDONS)
def test_readme_fragments_and_icon(addon):
    readme = ROOT / addon / "readme"
    for name in ("DESCRIPTION", "CONFIGURE", "USAGE", "HISTORY", "CONTRIBUTORS"):
        assert (readme / f"{name}.md").read_text("utf-8").strip(), name
    # OCA's fragments start below the section the README gives them.
    assert not (readme / "CONFIGURE.md").read_text("utf-8").startswith("#")
    # A line per release, newest first, the current version at the top.
    history = (readme / "HISTORY.md").read_text("utf-8")
    releases = [
        line[3:].split()[0] for line in history.splitlines() if line[:3] == "## "
    ]
    assert releases[0] == manifest(addon)["version"]
    assert (
        releases == sorted(releases, key=lambda v: tuple(map(int, v.split("."))))[::-1]
    )
    icon = (ROOT / addon / "static" / "description" / "icon.png").read_bytes()
    assert icon.startswith(b"\x89PNG\r\n\x1a\n")


def test_glue_icon_is_its_own():
    icons = {
        (ROOT / addon / "static" / "description" / "icon.png").read_bytes()
        for addon in ADDONS
    }
    assert len(icons) == 2


@pytest.mark.parametrize("addon", ADDONS)
def test_manifest_metadata_is_the_projects(addon):
    data = manifest(addon)
    assert data["author"] == "pleo_connector contributors"
    assert "OCA" not in data["author"] and "Odoo Community" not in data["author"]
    assert data["website"].startswith("https://")
    assert data["license"] == "LGPL-3"
    assert data["maintainers"]
    assert len(data["version"].split(".")) == 3


def test_pylint_odoo_requires_the_projects_author():
    pylintrc = (ROOT / ".pylintrc").read_text("utf-8")
    assert "manifest-required-authors=pleo_connector contributors\n" in pylintrc


def test_pure_distribution_has_the_addons_version():
    setup_py = (ROOT / "setup.py").read_text("utf-8")
    assert "18.0.1.0.0" not in setup_py
    namespace = {}
    exec(  # the version setup.py computes, without running setup()
        compile(setup_py.split("\nsetup(")[0], "setup.py", "exec"),
        {"__file__": str(ROOT / "setup.py")},
        namespace,
    )
    assert namespace["VERSION"] == manifest("pleo_connector")["version"]


@pytest.fixture(scope="module")
def wheels(tmp_path_factory):
    pytest.importorskip("whool", reason="whool (test-requirements.txt) builds them")
    build = load_script("build_wheels")
    out = tmp_path_factory.mktemp("dist")
    built = build.main(["--dist", str(out)])
    return {(path.parent.name, path.name.split("-")[0]): path for path in built}


def wheel_metadata(path):
    with zipfile.ZipFile(path) as wheel:
        meta = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
        return email.parser.Parser().parsestr(wheel.read(meta).decode()), set(
            wheel.namelist()
        )


@pytest.mark.parametrize("series", ["18.0", "19.0"])
def test_wheels_per_series(wheels, series):
    version = manifest("pleo_connector")["version"]
    meta, files = wheel_metadata(wheels[(series, "odoo_addon_pleo_connector")])
    assert meta["Name"] == "odoo-addon-pleo_connector"
    assert meta["Version"].startswith(f"{series}.{version}")
    assert meta["Author"] == "pleo_connector contributors"
    assert meta["Author-email"] is None  # OCA's support address is not ours
    assert f"Framework :: Odoo :: {series}" in meta.get_all("Classifier")
    requires = set(meta.get_all("Requires-Dist"))
    python_deps = manifest("pleo_connector")["external_dependencies"]["python"]
    assert requires == {f"odoo=={series}.*", *python_deps}
    assert meta["Description-Content-Type"] == "text/x-rst"
    assert "!! source digest:" in meta.get_payload()
    assert "odoo/addons/pleo_connector/__manifest__.py" in files
    assert "odoo/addons/pleo_connector/pleo/client.py" in files
    assert "odoo/addons/pleo_connector/static/description/index.html" in files
    assert not any(n.endswith(("/pyproject.toml", "/PKG-INFO")) for n in files)
    with zipfile.ZipFile(wheels[(series, "odoo_addon_pleo_connector")]) as wheel:
        shipped = wheel.read("odoo/addons/pleo_connector/__manifest__.py").decode()
    # The manifest of a wheel is the series' own, as on an OCA branch.
    assert ast.literal_eval(shipped)["version"] == f"{series}.{version}"

    meta, files = wheel_metadata(
        wheels[(series, "odoo_addon_pleo_connector_queue_job")]
    )
    assert meta["Name"] == "odoo-addon-pleo_connector_queue_job"
    assert set(meta.get_all("Requires-Dist")) == {
        f"odoo=={series}.*",
        f"odoo-addon-pleo_connector=={series}.*",
        f"odoo-addon-queue_job=={series}.*",
    }
    assert "odoo/addons/pleo_connector_queue_job/__manifest__.py" in files


def test_linters_pinned_alike():
    """pre-commit's hooks and test-requirements.txt name the same versions."""
    pins = {}
    for line in (ROOT / "test-requirements.txt").read_text("utf-8").splitlines():
        name, sep, version = line.split("#")[0].strip().partition("==")
        if sep:
            pins[name] = version
    config = (ROOT / ".pre-commit-config.yaml").read_text("utf-8")
    for name in ("ruff", "pylint-odoo", "pylint"):
        hooked = {
            v for n, v in re.findall(r'"([\w.-]+)==([\w.]+)"', config) if n == name
        }
        assert hooked == {pins[name]}, name
