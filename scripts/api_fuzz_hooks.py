"""Schemathesis hooks for scripts/api-fuzz: Kexie's own check that no response leaks a row
outside the caller's scope, and path ids drawn from rows that exist (in scope and out of it),
so the run reaches real rows and not only 404s.

`python3 scripts/api_fuzz_hooks.py prepare` runs once before schemathesis: with the provincial
token it adds a few rows inside the county (people, a plan), then writes the scope file: which
organisations and people exist in the county's subtree and which outside it. Schemathesis then
imports this module (SCHEMATHESIS_HOOKS=api_fuzz_hooks) and every response to the county token
is checked against that file.

Environment: KEXIE_FUZZ_BASE (http://127.0.0.1:PORT), KEXIE_FUZZ_PROVINCE_TOKEN,
KEXIE_FUZZ_COUNTY_ORG (the county 科协's org id), KEXIE_FUZZ_SCOPE (the scope file).
"""

import json
import os
import sys
import urllib.error
import urllib.request

BASE = os.environ.get("KEXIE_FUZZ_BASE", "")
SCOPE_FILE = os.environ.get("KEXIE_FUZZ_SCOPE", "")


def call(method, path, token, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method)
    request.add_header("Authorization", "Bearer " + token)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as e:
        sys.exit(f"{method} {path}: {e.code} {e.read().decode(errors='replace')}")


def every_page(path, token):
    items, page = [], 1
    while True:
        sep = "&" if "?" in path else "?"
        answer = call("GET", f"{path}{sep}per_page=500&page={page}", token)
        items += answer["items"]
        if len(items) >= answer["total"] or not answer["items"]:
            return items
        page += 1


def subtree(root, token):
    """The org ids of `root` and everything below it, walked through /children."""
    found, todo = [], [root]
    while todo:
        org = todo.pop()
        found.append(org)
        todo += [o["org_id"] for o in every_page(f"/api/v1/orgs/{org}/children", token)]
    return found


def prepare():
    province = os.environ["KEXIE_FUZZ_PROVINCE_TOKEN"]
    county = int(os.environ["KEXIE_FUZZ_COUNTY_ORG"])
    inside = subtree(county, province)
    township = next((o for o in inside if o != county), county)
    # Invented people (甲某 …) with made-up but well-formed identity numbers.
    for org, name, id_number in [
        (county, "甲某", "230102198503120029"),
        (county, "乙某", "230102199001010027"),
        (township, "丙某", None),
    ]:
        body = {"org_id": org, "name": name, "employer": "某研究所", "grassroots": True}
        if id_number:
            body["id_number"] = id_number
        call("POST", "/api/v1/persons", province, body)
    unit = call("GET", f"/api/v1/orgs/{township}", province)["code"]
    call("POST", "/api/v1/plans", province, {
        "org_id": county,
        "title": "某区科协年度任务分工",
        "year": 2026,
        "tasks": [
            {"number": "1", "text": "推动街道建立科协。", "deadline": "2026年6月底前",
             "measures": ["制定工作指引。"], "units": [unit]},
            {"number": "2", "text": "开展科普活动。", "deadline": "每季度"},
        ],
    })
    everything = [o["org_id"] for o in every_page("/api/v1/orgs", province)]
    people = every_page("/api/v1/persons", province)
    inside = set(subtree(county, province))
    plans = every_page("/api/v1/plans", province)
    tasks = []
    for plan in plans:
        answer = call("GET", f"/api/v1/plans/{plan['plan_id']}/tasks", province)
        tasks += [t["task_id"] for t in flatten_tasks(answer)]
    scope = {
        "orgs_in": sorted(inside),
        "orgs_out": sorted(set(everything) - inside),
        "persons_in": sorted(p["person_id"] for p in people if p["org_id"] in inside),
        "persons_out": sorted(p["person_id"] for p in people if p["org_id"] not in inside),
        "plans": sorted(p["plan_id"] for p in plans),
        "tasks": sorted(set(tasks)),
    }
    assert scope["orgs_out"] and scope["persons_out"] and scope["persons_in"], scope
    with open(SCOPE_FILE, "w") as f:
        json.dump(scope, f)
    print(
        f"scope: {len(scope['orgs_in'])} organisations and {len(scope['persons_in'])} people in the "
        f"county's subtree, {len(scope['orgs_out'])} and {len(scope['persons_out'])} outside"
    )


def flatten_tasks(answer):
    """Task ids wherever they sit in a /plans/{id}/tasks answer (sections or a flat list)."""
    out = []
    if isinstance(answer, dict):
        if "task_id" in answer:
            out.append(answer)
        for value in answer.values():
            out += flatten_tasks(value)
    elif isinstance(answer, list):
        for value in answer:
            out += flatten_tasks(value)
    return out


if __name__ == "__main__":
    if sys.argv[1:] == ["prepare"]:
        prepare()
        sys.exit(0)
    sys.exit("usage: api_fuzz_hooks.py prepare")


# ---- inside schemathesis -------------------------------------------------------------------

import schemathesis  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

with open(SCOPE_FILE) as f:
    SCOPE = json.load(f)
ORGS_OUT = set(SCOPE["orgs_out"])
PERSONS_OUT = set(SCOPE["persons_out"])


def leaks(value, where="$"):
    """Rows outside the scope in a JSON answer: an organisation row (an object with `org_id` and
    `code`) or a person row (`person_id`) whose id was outside the county's subtree at the start.
    References to other organisations (a parent's id, a membership's society) are not rows."""
    found = []
    if isinstance(value, dict):
        org = value.get("org_id")
        if "code" in value and isinstance(org, int) and org in ORGS_OUT:
            found.append(f"{where}: organisation {org}")
        person = value.get("person_id")
        if isinstance(person, int) and person in PERSONS_OUT:
            found.append(f"{where}: person {person}")
        for key, item in value.items():
            found += leaks(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += leaks(item, f"{where}[{i}]")
    return found


@schemathesis.check
def no_row_outside_scope(ctx, response, case):
    """No answer to the county's token carries a row of an organisation or a person outside it."""
    if "json" not in response.headers.get("content-type", [""])[0]:
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    found = leaks(body)
    if found:
        raise AssertionError(
            "response leaks rows outside the caller's scope: " + "; ".join(found[:5])
        )
    return None


def known_ids(path):
    collection = path.split("{")[0].rstrip("/").split("/")[-1]
    return {
        "orgs": SCOPE["orgs_in"] + SCOPE["orgs_out"][:20],
        "persons": SCOPE["persons_in"] + SCOPE["persons_out"][:20],
        "plans": SCOPE["plans"],
        "tasks": SCOPE["tasks"],
    }.get(collection, [])


@schemathesis.hook
def flatmap_path_parameters(ctx, path_parameters):
    """Half the time, an id that names a row that exists (inside or outside the scope). An id
    that is not an integer is left alone: it is the point of a negative test."""
    ids = known_ids(ctx.operation.path)
    generated = (path_parameters or {}).get("id")
    # A whole float (`3.0`) seen in a JSON body is reused here, where schemathesis itself says
    # a text carrier spells integers without a fraction.
    if isinstance(generated, float) and generated.is_integer():
        generated = int(generated)
        path_parameters = {**path_parameters, "id": generated}
    if not isinstance(generated, int) or isinstance(generated, bool) or not ids:
        return st.just(path_parameters)
    return st.one_of(
        st.just(path_parameters),
        st.sampled_from(ids).map(lambda i: {**path_parameters, "id": i}),
    )
