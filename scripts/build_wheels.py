"""Builds the addons' wheels, one set per Odoo series, with OCA's build backend.

    python scripts/build_wheels.py             # 18.0 and 19.0: dist/<series>/
    python scripts/build_wheels.py --series 18.0 --dist /tmp/wheels

Each addon has the `pyproject.toml` OCA's `whool init` writes, and whool builds
the wheel: `odoo-addon-<addon>`, the addon under `odoo/addons/<addon>`, its
requirements derived from the manifest (`odoo==<series>.*`, the other addons as
`odoo-addon-<name>==<series>.*`, the Python libraries of
`external_dependencies`), README.rst as its description.

whool reads the Odoo series from the manifest's version, which must then be
5-part (`18.0.1.1.0`). Ours is 3-part (`1.1.0`) so that one source installs on
18.0 and 19.0, each Odoo prefixing its own series. So the wheel of a series is
built from a copy of the addon (its files under git, as whool takes them) whose
manifest says `<series>.1.1.0`, the manifest such a wheel would carry on an OCA
branch of that series; the version is whool's own for the source tree (OCA's
`.N` = commits since the version last changed), prefixed with the series, and
handed to whool as an sdist's PKG-INFO would.
"""

import argparse
import email.message
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

try:  # whool's library (whool is in test-requirements.txt)
    from manifestoo_core.addon import Addon
    from manifestoo_core.git_postversion import (
        POST_VERSION_STRATEGY_DOT_N,
        get_git_postversion,
    )
except ImportError:  # then the versions go without OCA's `.N`
    Addon = None

ROOT = Path(__file__).resolve().parent.parent
SERIES = ("18.0", "19.0")
ADDONS = ("pleo_connector", "pleo_connector_queue_job")
VERSION_RE = re.compile(r"""(["']version["']\s*:\s*["'])([^"']+)(["'])""")


def addon_files(addon_dir):
    """The files whool would package: those under git, else all but caches."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--", "."],
            cwd=addon_dir,
            check=True,
            capture_output=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        out = None
    if out:
        return [Path(name) for name in out.decode().split("\0") if name]
    return [
        path.relative_to(addon_dir)
        for path in sorted(addon_dir.rglob("*"))
        if path.is_file()
        and not {"__pycache__", "build"} & set(path.relative_to(addon_dir).parts)
        and path.suffix != ".pyc"
    ]


def post_version(addon_dir, version):
    """whool's version of the source tree: the manifest's, plus `.N` for the N
    commits to the addon since the version last changed (OCA's strategy)."""
    if Addon is None:
        return version
    return get_git_postversion(
        Addon.from_addon_dir(addon_dir), POST_VERSION_STRATEGY_DOT_N
    )


def stage(addon_dir, series, workdir):
    """A copy of the addon for `series`; returns (its directory, wheel version)."""
    dst = workdir / addon_dir.name
    for rel in addon_files(addon_dir):
        if not (addon_dir / rel).is_file():  # deleted but not yet committed
            continue
        (dst / rel.parent).mkdir(parents=True, exist_ok=True)
        shutil.copy2(addon_dir / rel, dst / rel)
    manifest = dst / "__manifest__.py"
    text = manifest.read_text(encoding="utf-8")
    found = VERSION_RE.findall(text)
    if len(found) != 1 or len(found[0][1].split(".")) != 3:
        sys.exit(f"{addon_dir}: expected one 3-part version in the manifest")
    version = found[0][1]
    manifest.write_text(
        VERSION_RE.sub(lambda m: f"{m[1]}{series}.{m[2]}{m[3]}", text),
        encoding="utf-8",
    )
    wheel_version = f"{series}.{post_version(addon_dir, version)}"
    pkg_info = email.message.Message()
    pkg_info["Metadata-Version"] = "2.1"
    pkg_info["Name"] = f"odoo-addon-{addon_dir.name}"
    pkg_info["Version"] = wheel_version
    (dst / "PKG-INFO").write_text(pkg_info.as_string(), encoding="utf-8")
    return dst, wheel_version


def whool_here():
    return all(importlib.util.find_spec(name) for name in ("whool", "wheel"))


def build(addons, series, outdir):
    """Builds the wheels of `addons` for `series` into `outdir`; returns them."""
    outdir = Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    # With whool here (test-requirements.txt), pip uses it as it is; else pip
    # installs whool from the index into an isolated build environment.
    isolation = ["--no-build-isolation"] if whool_here() else []
    built = []
    for addon in addons:
        addon_dir = ROOT / addon
        with tempfile.TemporaryDirectory() as tmp:
            staged, version = stage(addon_dir, series, Path(tmp))
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "wheel",
                    "--quiet",
                    "--no-deps",
                    *isolation,
                    "--wheel-dir",
                    str(outdir),
                    str(staged),
                ],
                check=True,
                env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
            )
        wheel = outdir / f"odoo_addon_{addon}-{version}-py3-none-any.whl"
        if not wheel.is_file():
            sys.exit(f"whool did not build {wheel}")
        print(wheel)
        built.append(wheel)
    return built


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Builds the addons' wheels for each Odoo series with whool."
    )
    parser.add_argument(
        "--series",
        action="append",
        choices=SERIES,
        help="Odoo series to build for (repeatable; default: each supported one)",
    )
    parser.add_argument(
        "--dist",
        type=Path,
        default=ROOT / "dist",
        help="output directory; the wheels of each series go into <dist>/<series>/ "
        "(default: dist/ of the repository)",
    )
    parser.add_argument(
        "addons", nargs="*", metavar="ADDON", help=f"default: {' '.join(ADDONS)}"
    )
    args = parser.parse_args(argv)
    unknown = set(args.addons) - set(ADDONS)
    if unknown:
        parser.error(f"unknown addons: {' '.join(sorted(unknown))}")
    built = []
    for series in args.series or SERIES:
        built += build(args.addons or ADDONS, series, args.dist / series)
    return built


if __name__ == "__main__":
    main()
