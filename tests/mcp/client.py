"""End-to-end test of `lockgate mcp` with the official Python MCP SDK's stdio client.

Run by tests/mcp.rs (LOCKGATE_MCP_PYTHON=<venv python>; .ci/run installs the pinned
`mcp` package into target/mcp-venv):

    python tests/mcp/client.py LOCKGATE_BINARY WORKDIR

WORKDIR holds allowlist.toml (made by `lockgate allowlist init project`), project/
(a uv project, every package approved) and typo/ (an npm project with the typosquat
`expresss`, nothing approved). The environment points the PyPI index at a local
server (LOCKGATE_PYPI_INDEX). Prints one line per check and exits 1 on the first
failure.
"""

import asyncio
import json
import os
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

BINARY, WORKDIR = sys.argv[1], sys.argv[2]
checks = 0


def ok(cond, what, detail=None):
    global checks
    if not cond:
        print(f"FAIL: {what}\n{json.dumps(detail, indent=1)[:4000] if detail is not None else ''}")
        sys.exit(1)
    checks += 1
    print(f"ok: {what}")


def data(result):
    """The structured content of a tool result (also sent as text)."""
    if result.structured_content is not None:
        return result.structured_content
    return json.loads(result.content[0].text)


def text(result):
    return " ".join(c.text for c in result.content if getattr(c, "text", None))


async def session(args):
    params = StdioServerParameters(
        command=BINARY, args=["mcp", *args], cwd=WORKDIR, env=dict(os.environ)
    )
    return stdio_client(params)


async def online_server():
    async with await session(["--online"]) as (read, write):
        async with ClientSession(read, write) as s:
            init = await s.initialize()
            ok(init.server_info.name == "lockgate", "server says it is lockgate", init.server_info.model_dump())

            tools = {t.name: t for t in (await s.list_tools()).tools}
            ok(
                set(tools) == {"check_package_names", "check_lockfiles", "registry_facts"},
                "lists the three tools",
                sorted(tools),
            )
            schema = tools["check_package_names"].input_schema
            ok(
                {"ecosystem", "packages"} <= set(schema["properties"]) and "ecosystem" in schema.get("required", []),
                "check_package_names has a JSON Schema with ecosystem and packages",
                schema,
            )

            # Names: a typosquat, an approved pinned version, an import name.
            r = await s.call_tool(
                "check_package_names",
                {"ecosystem": "pypi", "packages": ["reqeusts", "requests==2.32.3", "cv2"]},
            )
            ok(not r.is_error, "check_package_names answers", text(r))
            names = data(r)["names"]
            squat, approved, import_name = names
            ok(squat["verdict"] == "deny", "reqeusts is denied", squat)
            f = squat["findings"][0]
            ok(
                f["id"] == "similar-name" and f["target"] == "requests" and f["instead"] == "requests",
                "reqeusts: similar-name to requests, use requests instead",
                f,
            )
            ok(squat["allowlist"]["listed"] is False, "reqeusts is not in the allowlist", squat)
            ok(approved["verdict"] == "ok", "requests==2.32.3 is ok", approved)
            ok(
                approved["version"] == "2.32.3"
                and approved["allowlist"]["listed"]
                and "2.32.3" in approved["allowlist"]["versions"]
                and approved["allowlist"]["version_approved"] is True,
                "requests 2.32.3: listed, approved versions given, this version approved",
                approved,
            )
            ok(
                any(x["how"] == "import-name" and x["instead"] == "opencv-python" for x in import_name["findings"] if "how" in x),
                "cv2: the import name of opencv-python",
                import_name,
            )

            r = await s.call_tool("check_package_names", {"ecosystem": "npm", "packages": ["chalk@5.6.1", "chalk"]})
            bad, name_only = data(r)["names"]
            ok(bad["verdict"] == "deny" and bad["findings"][0]["id"] == "known-malicious", "chalk@5.6.1 is known-malicious", bad)
            ok(name_only["findings"][0]["versions"] == ["5.6.1"], "chalk without a version lists the affected versions", name_only)

            # Online: the local index has `requests` but not the made-up name.
            r = await s.call_tool(
                "check_package_names",
                {"ecosystem": "pypi", "packages": ["requests", "reqeusts-nobody-registered"], "online": True},
            )
            ok(not r.is_error, "online check answers", text(r))
            found, missing = data(r)["names"]
            ok(missing["verdict"] == "deny" and missing["findings"][0]["id"] == "not-on-registry", "a name the registry lacks is not-on-registry", missing)
            ok(found["verdict"] == "ok", "a name the registry has is ok", found)

            # Errors are tool errors the agent can read.
            r = await s.call_tool("check_package_names", {"ecosystem": "maven", "packages": ["x"]})
            ok(r.is_error and "npm, pypi or cargo" in text(r), "an unknown ecosystem is a tool error saying the choices", text(r))
            r = await s.call_tool("check_package_names", {"ecosystem": "npm", "packages": ["chalk@^5"]})
            ok(r.is_error and "exact version" in text(r), "a range is refused", text(r))

            # Lockfiles against the allowlist.
            r = await s.call_tool("check_lockfiles", {"path": "project"})
            d = data(r)
            ok(not r.is_error and d["passed"] and d["lockfiles"] == 1 and d["packages"] > 0, "the approved project passes", d)
            r = await s.call_tool("check_lockfiles", {"path": "typo"})
            d = data(r)
            ids = {(f["id"], f.get("name")) for f in d["findings"]}
            ok(not d["passed"] and ("unlisted", "express") in ids, "the unapproved project fails with unlisted findings", d)
            ok(("similar-name", "expresss") in ids, "and flags the typosquat expresss", sorted(ids))
            r = await s.call_tool("check_lockfiles", {"path": "no-such-folder"})
            ok(r.is_error, "a missing folder is a tool error", text(r))

            # Registry facts.
            r = await s.call_tool("registry_facts", {"ecosystem": "pypi", "package": "requests==2.32.3"})
            d = data(r)
            ok(not r.is_error and d["exists"] and d["versions"] > 1 and d["version"]["exists"], "registry facts for requests 2.32.3", d)
            r = await s.call_tool("registry_facts", {"ecosystem": "pypi", "package": "reqeusts-nobody-registered"})
            ok(data(r)["exists"] is False, "registry facts: a name the registry lacks", data(r))


async def offline_server():
    async with await session([]) as (read, write):
        async with ClientSession(read, write) as s:
            await s.initialize()
            r = await s.call_tool("registry_facts", {"ecosystem": "pypi", "package": "requests"})
            ok(r.is_error and "--online" in text(r), "without --online, registry facts are refused", text(r))
            r = await s.call_tool("check_package_names", {"ecosystem": "pypi", "packages": ["requests"], "online": True})
            ok(r.is_error and "--online" in text(r), "without --online, online name checks are refused", text(r))
            r = await s.call_tool("check_package_names", {"ecosystem": "pypi", "packages": ["requests"]})
            ok(not r.is_error and data(r)["names"][0]["verdict"] == "ok", "offline name checks still answer", data(r))


asyncio.run(online_server())
asyncio.run(offline_server())
print(f"mcp client: {checks} checks passed")
