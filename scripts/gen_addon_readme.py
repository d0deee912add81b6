"""Generates each addon's README.rst and static/description/index.html from its
readme/ fragments and manifest, laid out as OCA's oca-gen-addon-readme lays
them out (title, badges, description, table of contents, Configuration, Usage,
Changelog, Bug Tracker, Credits), which is not on PyPI.

    python scripts/gen_addon_readme.py [ADDON_DIR ...]    # default: both addons
    python scripts/gen_addon_readme.py --check             # fail if out of date

Markdown fragments become reStructuredText with pandoc, as OCA's generator does
(`pypandoc-binary` ships it), and the HTML page is docutils' rendering of the
README with the settings PyPI's readme_renderer uses. The pre-commit hook
`gen-addon-readme` runs this script with the versions pinned in
.pre-commit-config.yaml, so the output does not depend on the machine. Both
files carry a digest of their sources (manifest, fragments, template):
tests/test_addon_readme.py checks it without pandoc.
"""

import argparse
import ast
import hashlib
import os
import re
import sys
import tempfile
from pathlib import Path

# Only generating needs these (the hook's environment has them); the digest
# functions the tests use do not.
try:
    import pypandoc
    from docutils.core import publish_string
    from jinja2 import Template
except ImportError:
    pypandoc = publish_string = Template = None

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ("pleo_connector", "pleo_connector_queue_job")
SERIES = ("18.0", "19.0")
TEMPLATE = Path(__file__).with_name("gen_addon_readme.rst.jinja")

# Fragment -> heading level shift: sections are level 1 in the README, the
# credits' parts (Contributors, Other credits) level 2.
FRAGMENTS = {
    "DESCRIPTION": 0,
    "CONTEXT": 0,
    "INSTALL": 0,
    "CONFIGURE": 0,
    "USAGE": 0,
    "DEVELOP": 0,
    "ROADMAP": 0,
    "HISTORY": 0,
    "CONTRIBUTORS": 1,
    "CREDITS": 1,
}
# GitHub-flavoured Markdown without raw HTML, and without automatic heading
# anchors (pylint-odoo reports unreferenced targets), as OCA converts them.
MARKDOWN = "gfm-raw_html-gfm_auto_identifiers"
# pypa/readme_renderer's settings (what PyPI renders), without the XML
# declaration Odoo warns about in index.html.
RST2HTML_SETTINGS = {
    "file_insertion_enabled": False,
    "halt_level": 2,
    "math_output": "MathJax",
    "raw_enabled": False,
    "smart_quotes": True,
    "syntax_highlight": "short",
    "xml_declaration": False,
    "output_encoding": "utf-8",
}
STATUS_BADGES = {
    "alpha": ("maturity-Alpha-red", "Alpha"),
    "beta": ("maturity-Beta-yellow", "Beta"),
    "production/stable": ("maturity-Production%2FStable-green", "Production/Stable"),
    "stable": ("maturity-Production%2FStable-green", "Production/Stable"),
    "mature": ("maturity-Mature-brightgreen", "Mature"),
}
LICENSE_URLS = {
    "LGPL-3": "https://www.gnu.org/licenses/lgpl-3.0-standalone.html",
    "AGPL-3": "https://www.gnu.org/licenses/agpl-3.0-standalone.html",
    "GPL-3": "https://www.gnu.org/licenses/gpl-3.0-standalone.html",
}
DIGEST_RE = re.compile(r"!! source digest: (sha256:[0-9a-f]{64})")


def read_manifest(addon_dir):
    return ast.literal_eval((addon_dir / "__manifest__.py").read_text("utf-8"))


def fragment_path(addon_dir, name):
    return addon_dir / "readme" / f"{name}.md"


def source_digest(addon_dir):
    """sha256 over what the README is made of: the manifest, the fragments and
    the template (names and contents, in a fixed order)."""
    digest = hashlib.sha256()
    sources = [addon_dir / "__manifest__.py", TEMPLATE]
    sources += [fragment_path(addon_dir, name) for name in sorted(FRAGMENTS)]
    for path in sources:
        if path.is_file():
            digest.update(path.name.encode() + b"\0")
            digest.update(path.read_bytes().replace(b"\r\n", b"\n") + b"\0")
    return f"sha256:{digest.hexdigest()}"


def recorded_digests(addon_dir):
    """The digests README.rst and index.html were generated from (None when a
    file or its digest is missing)."""
    found = []
    for path in (
        addon_dir / "README.rst",
        addon_dir / "static" / "description" / "index.html",
    ):
        match = path.is_file() and DIGEST_RE.search(path.read_text("utf-8"))
        found.append(match.group(1) if match else None)
    return found


def md_to_rst(path, shift):
    rst = pypandoc.convert_file(
        str(path),
        to="rst",
        format=MARKDOWN,
        extra_args=[f"--shift-heading-level-by={shift}", "--wrap=preserve"],
        sandbox=True,
    )
    rst = rst.replace("\r\n", "\n").strip("\n")
    return rst + "\n" if rst else ""


def repo_of(website):
    """(name, url) of the GitHub repository the manifest's website names."""
    match = re.match(r"^https://github\.com/([^/]+/[^/#?]+?)/?$", website or "")
    return (match[1], match[0].rstrip("/")) if match else (None, None)


def badges(manifest, addon_name, repo_name, repo_url):
    found = []
    status = STATUS_BADGES.get(manifest.get("development_status", "").lower())
    if status:
        found.append(
            (
                f"https://img.shields.io/badge/{status[0]}.png",
                "https://odoo-community.org/page/development-status",
                status[1],
            )
        )
    licence = manifest.get("license")
    if licence in LICENSE_URLS:
        found.append(
            (
                f"https://img.shields.io/badge/license-{licence.replace('-', '--')}"
                "-blue.png",
                LICENSE_URLS[licence],
                f"License: {licence}",
            )
        )
    if repo_url:
        owner, name = repo_name.split("/")
        label = f"{owner}%2F{name}".replace("-", "--")
        found.append(
            (
                f"https://img.shields.io/badge/github-{label}-lightgray.png?logo=github",
                f"{repo_url}/tree/main/{addon_name}",
                repo_name,
            )
        )
    return found


def render_readme(addon_dir, digest):
    manifest = read_manifest(addon_dir)
    addon_name = addon_dir.name
    fragments = {}
    for name, shift in FRAGMENTS.items():
        path = fragment_path(addon_dir, name)
        if path.is_file():
            rst = md_to_rst(path, shift)
            if rst:
                fragments[name] = rst
    if "DESCRIPTION" not in fragments:
        sys.exit(f"{addon_dir}: readme/DESCRIPTION.md is missing or empty")
    repo_name, repo_url = repo_of(manifest.get("website"))
    template = Template(TEMPLATE.read_text("utf-8"), keep_trailing_newline=True)
    text = template.render(
        addon_name=addon_name,
        authors=[a.strip() for a in manifest.get("author", "").split(",")],
        badges=badges(manifest, addon_name, repo_name, repo_url),
        digest=digest,
        fragments=fragments,
        manifest=manifest,
        repo_name=repo_name,
        repo_url=repo_url,
        series=SERIES,
    )
    # One blank line between blocks, none at the end but the newline.
    text = re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"
    return text


def render_html(readme_text):
    html = publish_string(
        readme_text,
        writer_name="html4css1",
        settings_overrides=RST2HTML_SETTINGS,
    )
    # The docutils version would change the page with every docutils release.
    html = re.sub(rb'(<meta name="generator" content="Docutils)[^"]*', rb"\1", html)
    return html.decode("utf-8")


def generate(addon_dir, check=False):
    """Writes (or, with check, compares) the addon's README.rst and index.html;
    returns the paths that were (or would be) changed."""
    digest = source_digest(addon_dir)
    readme = render_readme(addon_dir, digest)
    html = render_html(readme)
    changed = []
    for path, text in (
        (addon_dir / "README.rst", readme),
        (addon_dir / "static" / "description" / "index.html", html),
    ):
        old = path.read_text("utf-8") if path.is_file() else None
        if old == text:
            continue
        changed.append(path)
        if not check:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", dir=path.parent, delete=False
            ) as tmp:
                tmp.write(text)
            os.replace(tmp.name, path)
    return changed


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Generates README.rst and static/description/index.html "
        "of the addons from their readme/ fragments."
    )
    parser.add_argument("addon_dirs", nargs="*", type=Path, metavar="ADDON_DIR")
    parser.add_argument(
        "--check",
        action="store_true",
        help="change nothing; exit 1 when a generated file is out of date",
    )
    args = parser.parse_args(argv)
    if pypandoc is None:
        sys.exit(
            "needs pypandoc-binary, docutils, jinja2 and pygments: run it with "
            "`pre-commit run gen-addon-readme --all-files`"
        )
    addon_dirs = args.addon_dirs or [ROOT / name for name in ADDONS]
    changed = []
    for addon_dir in addon_dirs:
        changed += generate(addon_dir.resolve(), check=args.check)
    for path in changed:
        verb = "out of date" if args.check else "written"
        print(f"{os.path.relpath(path)}: {verb}")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
