"""Tag groups and tags (v0): what the connector's dimension sync pushes.

Codes are unique case-insensitively (tag groups per company, tags per group): a
duplicate answers 409, which is how a connector bug creating twins shows up.
"""

from __future__ import annotations

from .common import check_company, derived_id, flag, iso, new_id, path_uuid, text
from .pagination import paginate_rows
from .web import ApiError, Response, bad_request, not_found

MAX_ACTIVE_TAGS = 5000
BATCH_LIMIT = 100


class TagStore:
    def __init__(self, state):
        self.state = state
        self.groups: dict[str, dict] = {}
        self.tags: dict[str, dict] = {}

    def seed(self, groups):
        now = iso(self.state.clock.now())
        for code, name, tags in groups:
            gid = derived_id("tag-group", code)
            self.groups[gid] = {
                "id": gid,
                "companyId": self.state.company_id,
                "code": code,
                "name": name,
                "archived": False,
                "metadata": {},
                "createdAt": now,
                "updatedAt": now,
            }
            for tag_code, tag_name in tags:
                tid = derived_id("tag", code, tag_code)
                self.tags[tid] = {
                    "id": tid,
                    "groupId": gid,
                    "code": tag_code,
                    "name": tag_name,
                    "archived": False,
                    "createdAt": now,
                    "updatedAt": now,
                }

    def group(self, group_id) -> dict:
        group = self.groups.get(group_id)
        if group is None:
            raise not_found(f"Tag group {group_id} not found", "TAG_GROUP_NOT_FOUND")
        return group

    def tag(self, tag_id) -> dict:
        tag = self.tags.get(tag_id)
        if tag is None:
            raise not_found(f"Tag {tag_id} not found", "TAG_NOT_FOUND")
        return tag

    def group_json(self, group, with_count=False):
        out = dict(group)
        if with_count:
            out["totalTagsCount"] = sum(
                1 for t in self.tags.values() if t["groupId"] == group["id"]
            )
        return out

    def check_group_code(self, code, exclude=None):
        for group in self.groups.values():
            if group["id"] != exclude and group["code"].lower() == code.lower():
                raise ApiError(
                    409, "TAG_GROUP_ALREADY_EXISTS", f"Tag group code {code} exists"
                )

    def check_tag_code(self, group_id, code, exclude=None):
        for tag in self.tags.values():
            if (
                tag["groupId"] == group_id
                and tag["id"] != exclude
                and tag["code"].lower() == code.lower()
            ):
                raise ApiError(
                    409,
                    "TAG_ALREADY_EXISTS",
                    f"Tag with code {code} already exists in this tag group",
                )


def _company(state, req):
    # organization_id is accepted for org-level credentials; company_id wins.
    check_company(state, req.arg("company_id"))


def _group_body(body, *, update=False):
    code = text(body, "code", required=True, min_len=1, max_len=255)
    name = text(body, "name", required=True, max_len=255)
    archived = flag(body, "archived", required=True)
    metadata = body.get("metadata")
    if update and metadata is None:
        raise bad_request("Missing required field(s): metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise bad_request("[metadata] must be an object of strings")
    return code, name, archived, metadata or {}


def list_groups(state, req):
    _company(state, req)
    archived = req.bool_arg("include_archived", False)
    with_count = req.bool_arg("include_tags_count", False)
    store = state.tags
    rows = [
        store.group_json(g, with_count)
        for g in store.groups.values()
        if archived or not g["archived"]
    ]
    return Response(200, {"data": rows})


def create_group(state, req):
    _company(state, req)
    code, name, archived, metadata = _group_body(req.json_object())
    state.tags.check_group_code(code)
    now = iso(state.clock.now())
    group = {
        "id": new_id(),
        "companyId": state.company_id,
        "code": code,
        "name": name,
        "archived": archived,
        "metadata": metadata,
        "createdAt": now,
        "updatedAt": now,
    }
    state.tags.groups[group["id"]] = group
    return Response(201, {"data": group})


def get_group(state, req):
    group = state.tags.group(path_uuid(req, "groupId"))
    return Response(200, {"data": state.tags.group_json(group, True)})


def update_group(state, req):
    group = state.tags.group(path_uuid(req, "groupId"))
    code, name, archived, metadata = _group_body(req.json_object(), update=True)
    state.tags.check_group_code(code, exclude=group["id"])
    group.update(code=code, name=name, archived=archived, metadata=metadata)
    group["updatedAt"] = iso(state.clock.now())
    return Response(200, {"data": group})


def delete_group(state, req):
    group = state.tags.group(path_uuid(req, "groupId"))
    del state.tags.groups[group["id"]]
    for tag_id in [
        t["id"] for t in state.tags.tags.values() if t["groupId"] == group["id"]
    ]:
        del state.tags.tags[tag_id]
    return Response(204)


TAG_SORT = {"code": lambda t: t["code"], "name": lambda t: t["name"] or ""}


def list_tags(state, req):
    group = state.tags.group(path_uuid(req, "groupId"))
    archived = req.bool_arg("include_archived", False)
    rows = [
        t
        for t in state.tags.tags.values()
        if t["groupId"] == group["id"] and (archived or not t["archived"])
    ]
    return Response(200, paginate_rows(req, rows, max_limit=state.config.max_page_size))


def _tag_body(body):
    code = text(body, "code", required=True, min_len=1, max_len=255)
    name = text(body, "name", max_len=255)
    archived = flag(body, "archived", required=True)
    return code, name, archived


def create_tag(state, req):
    group = state.tags.group(path_uuid(req, "groupId"))
    code, name, archived = _tag_body(req.json_object())
    state.tags.check_tag_code(group["id"], code)
    active = sum(
        1
        for t in state.tags.tags.values()
        if t["groupId"] == group["id"] and not t["archived"]
    )
    if not archived and active >= MAX_ACTIVE_TAGS:
        raise bad_request(f"Tag group already has {MAX_ACTIVE_TAGS} active tags")
    now = iso(state.clock.now())
    tag = {
        "id": new_id(),
        "groupId": group["id"],
        "code": code,
        "name": name,
        "archived": archived,
        "createdAt": now,
        "updatedAt": now,
    }
    state.tags.tags[tag["id"]] = tag
    return Response(201, {"data": tag})


def get_tag(state, req):
    return Response(200, {"data": state.tags.tag(path_uuid(req, "tagId"))})


def update_tag(state, req):
    tag = state.tags.tag(path_uuid(req, "tagId"))
    code, name, archived = _tag_body(req.json_object())
    state.tags.check_tag_code(tag["groupId"], code, exclude=tag["id"])
    tag.update(code=code, archived=archived, updatedAt=iso(state.clock.now()))
    if name is not None:
        tag["name"] = name
    return Response(200, {"data": tag})


def delete_tag(state, req):
    tag = state.tags.tag(path_uuid(req, "tagId"))
    del state.tags.tags[tag["id"]]
    return Response(204)


def _batch_ids(state, body):
    check_company(state, text(body, "companyId", required=True), where="companyId")
    ids = body.get("tagIds")
    if not isinstance(ids, list) or not ids:
        raise bad_request("[tagIds] must be a non-empty list")
    if len(ids) > BATCH_LIMIT:
        raise bad_request(f"[tagIds] accepts at most {BATCH_LIMIT} ids per request")
    unknown = [i for i in ids if i not in state.tags.tags]
    if unknown:
        raise not_found(f"Tags not found: {unknown}", "TAG_NOT_FOUND")
    return ids


def archive_tags(state, req):
    body = req.json_object()
    archived = flag(body, "archived", required=True)
    ids = _batch_ids(state, body)
    now = iso(state.clock.now())
    for tag_id in ids:
        state.tags.tags[tag_id].update(archived=archived, updatedAt=now)
    return Response(200, {"data": [state.tags.tags[i] for i in ids]})


def delete_tags(state, req):
    for tag_id in _batch_ids(state, req.json_object()):
        del state.tags.tags[tag_id]
    return Response(204)


def search_tags(state, req):
    _company(state, req)
    body = req.json_object(required=False)
    group_ids = body.get("tagGroupIds") or []
    tag_ids = body.get("tagIds") or []
    text_search = (body.get("textSearch") or "").lower()
    archived = body.get("archived")
    include_archived = bool(body.get("includeArchived"))

    def keep(tag):
        if group_ids and tag["groupId"] not in group_ids:
            return False
        if tag_ids and tag["id"] not in tag_ids:
            return False
        if text_search and text_search not in f"{tag['code']} {tag['name']}".lower():
            return False
        if archived is not None:
            return tag["archived"] == archived
        return include_archived or not tag["archived"]

    rows = [t for t in state.tags.tags.values() if keep(t)]
    return Response(
        200,
        paginate_rows(
            req,
            rows,
            fields=TAG_SORT,
            default="code",
            max_limit=state.config.max_page_size,
        ),
    )


ROUTES = [
    ("GET", "/v0/tag-groups", list_groups),
    ("POST", "/v0/tag-groups", create_group),
    ("GET", "/v0/tag-groups/{groupId}", get_group),
    ("PUT", "/v0/tag-groups/{groupId}", update_group),
    ("DELETE", "/v0/tag-groups/{groupId}", delete_group),
    ("GET", "/v0/tag-groups/{groupId}/tags", list_tags),
    ("POST", "/v0/tag-groups/{groupId}/tags", create_tag),
    ("POST", "/v0/tags/archive", archive_tags),
    ("DELETE", "/v0/tags", delete_tags),
    ("POST", "/v0/tags:search", search_tags),
    ("GET", "/v0/tags/{tagId}", get_tag),
    ("PUT", "/v0/tags/{tagId}", update_tag),
    ("DELETE", "/v0/tags/{tagId}", delete_tag),
]
