"""Sandbox receipts: real PDF/JPEG bytes behind expiring presigned-style links."""

import io

import pytest
import requests

from pleo_sandbox import SandboxServer


def _items(srv):
    http = requests.Session()
    http.auth = (srv.api_key, "")
    job = http.get(srv.url + "/v3/export-jobs").json()["data"][0]
    return http.get(
        srv.url + "/v3/export-items", params={"job_id": job["id"], "limit": 100}
    ).json()["data"]


@pytest.fixture
def srv():
    with SandboxServer(port=0, seed="demo", file_ttl=3600) as server:
        yield server


def test_receipts_download_without_auth_and_match_their_size(srv):
    files = [f for item in _items(srv) for f in item["files"]]
    kinds = {f["type"] for f in files}
    assert kinds == {"application/pdf", "image/jpeg"}
    for file in files:
        assert file["url"].startswith(srv.url + "/_files/")
        response = requests.get(file["url"])  # no Authorization header at all
        assert response.status_code == 200
        assert response.headers["Content-Type"] == file["type"]
        assert len(response.content) == file["size"]
        if file["type"] == "application/pdf":
            assert response.content.startswith(b"%PDF-1.4")
            assert response.content.rstrip().endswith(b"%%EOF")
        else:
            assert response.content[:2] == b"\xff\xd8"
            assert response.content[-2:] == b"\xff\xd9"


def test_receipts_are_valid_files():
    image = pytest.importorskip("PIL.Image")
    with SandboxServer(port=0, seed="demo") as srv:
        files = [f for item in _items(srv) for f in item["files"]]
        jpeg = next(f for f in files if f["type"] == "image/jpeg")
        picture = image.open(io.BytesIO(requests.get(jpeg["url"]).content))
        picture.verify()
        assert picture.format == "JPEG"
        pdf = next(f for f in files if f["type"] == "application/pdf")
        content = requests.get(pdf["url"]).content
        xref = int(content.rsplit(b"startxref", 1)[1].split()[0])
        assert content[xref : xref + 4] == b"xref"


def test_pdf_text_is_readable():
    pdf = pytest.importorskip("PyPDF2")
    with SandboxServer(port=0, seed="small") as srv:
        item = _items(srv)[0]
        content = requests.get(item["files"][0]["url"]).content
        reader = pdf.PdfReader(io.BytesIO(content), strict=True)
        text = reader.pages[0].extract_text()
        assert "RECEIPT" in text
        assert item["accountingEntryId"] in text
        assert "345.00 DKK" in text


def test_every_receipt_is_distinct(srv):
    files = [f for item in _items(srv) for f in item["files"]]
    bodies = {requests.get(f["url"]).content for f in files}
    assert len(bodies) == len(files)


def test_links_expire(srv):
    file = next(f for item in _items(srv) for f in item["files"])
    assert requests.get(file["url"]).status_code == 200
    srv.advance_clock(3601)
    expired = requests.get(file["url"])
    assert expired.status_code == 403
    assert b"expired" in expired.content
    # Reading the item again issues a fresh link (Pleo: ~24 h from the fetch).
    fresh = next(f for item in _items(srv) for f in item["files"])
    assert requests.get(fresh["url"]).status_code == 200


def test_tampered_links_are_refused(srv):
    file = next(f for item in _items(srv) for f in item["files"])
    assert requests.get(file["url"][:-4] + "0000").status_code == 403
    other_file = file["url"].replace("/0/", "/7/", 1)
    assert requests.get(other_file).status_code == 403


def test_no_receipts_option():
    with SandboxServer(port=0, seed="demo", receipts=False) as srv:
        assert all(item["files"] == [] for item in _items(srv))
