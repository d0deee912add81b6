"""Tags API v0: tag groups (ERP dimensions) and tags (dimension values)."""

from __future__ import annotations

from .client_base import chunks, compact, segment

# POST /v0/tags/archive takes 1..100 tag ids.
TAGS_PER_ARCHIVE = 100


class TagsMixin:
    def list_tag_groups(self, include_archived=True):
        params = {"company_id": self.company_id, "include_archived": include_archived}
        return self._data("GET", "/v0/tag-groups", params=params) or []

    def create_tag_group(self, code, name, archived=False, metadata=None):
        body = compact(
            {"code": code, "name": name, "archived": archived, "metadata": metadata}
        )
        params = {"company_id": self.company_id}
        return self._data("POST", "/v0/tag-groups", params=params, json=body)

    def update_tag_group(self, group_id, code, name, archived, metadata=None):
        # Pleo requires all four fields; (un)archiving is done through here.
        body = {
            "code": code,
            "name": name,
            "archived": archived,
            "metadata": metadata or {},
        }
        return self._data("PUT", f"/v0/tag-groups/{segment(group_id)}", json=body)

    def iter_tags(self, group_id, include_archived=True):
        path = f"/v0/tag-groups/{segment(group_id)}/tags"
        return self._items("GET", path, params={"include_archived": include_archived})

    def create_tag(self, group_id, code, name, archived=False):
        body = compact({"code": code, "name": name, "archived": archived})
        path = f"/v0/tag-groups/{segment(group_id)}/tags"
        return self._data("POST", path, json=body)

    def update_tag(self, tag_id, code, name, archived):
        body = compact({"code": code, "name": name, "archived": archived})
        return self._data("PUT", f"/v0/tags/{segment(tag_id)}", json=body)

    def set_tags_archived(self, tag_ids, archived=True):
        """Archive (or unarchive) tags in batches; returns the updated tags."""
        company_id = self._require_company()
        updated = []
        for chunk in chunks(tag_ids, TAGS_PER_ARCHIVE):
            body = {"companyId": company_id, "tagIds": chunk, "archived": archived}
            # Sets a state, so a repeat is harmless.
            data = self._data("POST", "/v0/tags/archive", json=body, idempotent=True)
            updated.extend(data or [])
        return updated
