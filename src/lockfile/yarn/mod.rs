//! `yarn.lock`: one file name, two formats, told apart by content.
//!
//! # Classic (Yarn 1, `# yarn lockfile v1`)
//!
//! Yarn 1's own indented syntax: entries keyed by the descriptors that resolved to them
//! (`"a@^1", a@^1.2:`), each with `version`, `resolved "url#<sha1>"`,
//! `integrity sha512-…` and `dependencies:` / `optionalDependencies:` blocks. It is
//! read by a small hand-written line parser rather than a crate: the format is simple
//! (three indentation levels, one token or quoted string per value), and reading it line
//! by line gives every entry's line and exact errors (line and what is wrong) for free;
//! the crates found (`yarn-lock-parser`) return neither lines nor positioned errors.
//!
//! - hashes: the `#<40 hex>` fragment of `resolved` (sha1 of the registry tarball) and
//!   every token of `integrity`.
//! - source: `file:`/`link:` descriptors are [`Source::Path`], `http(s):` descriptors
//!   [`Source::Url`], git descriptors (`git+…`, `github:…`, `…/….git`, and GitHub
//!   shorthand `owner/repo#ref`, which yarn fetches from codeload.github.com: url
//!   `github:owner/repo`, rev the commit in `resolved`) [`Source::Git`],
//!   everything else the registry `resolved` points at (default registry unless another
//!   host). An alias (`x-cjs@npm:string-width@^4`) is recorded under the real name.
//! - roots: classic records none. The `package.json` beside the lockfile gives them: its
//!   `dependencies`, `devDependencies`, `optionalDependencies` and its `workspaces`
//!   (array or `{packages}`; `*` segments are expanded), each member's manifest likewise.
//!   Without a `package.json`, the root is [`Context::root_label`] and its direct
//!   dependencies are the entries nothing else depends on. Manifest dependencies that
//!   the lockfile lacks (a stale lockfile, which `yarn install --frozen-lockfile` rejects)
//!   are skipped. `resolutions` need no handling: Yarn 1 writes the rewritten
//!   descriptors into the entry keys (`ms@2.0.0, ms@2.1.3:`).
//!
//! # Berry (Yarn 2+, `__metadata:`)
//!
//! YAML (read as pnpm's is, by the fast reader for the YAML subset Yarn writes with the
//! budgeted `serde-saphyr` parser for anything else, see [`super::pnpm`]): `__metadata: {version, cacheKey}` then entries keyed
//! `"name@npm:^1.0.0, name@npm:^1.1.0"` with `version`, `resolution`, `checksum`,
//! `dependencies`, `dependenciesMeta`, `languageName`, `linkType`. `__metadata.version`
//! 4 to 10 are read: Yarn 2 writes 4, Yarn 3.0 and 3.1 write 5, Yarn 3.2 to 3.8 write 6,
//! Yarn 4.0 writes 8 and Yarn 4.18 writes 10 (the fields read here have not changed;
//! fixtures from Yarn 2.4, 3.8, 4.5 and 4.18); a newer one is a [`ParseError`].
//!
//! - dependencies are resolved as Yarn resolves them: the root `package.json`'s
//!   `resolutions` first (`name`, `name@range`, `parent/name`, `parent@range/name`; Yarn
//!   berry ignores glob patterns such as `**/name`, and so does lockgate), then the
//!   descriptor as written, then with Yarn's default protocol: Yarn 2 and 3 write the
//!   range without `npm:` (`left-pad: ^1.3.0`) while the entry key has it
//!   (`left-pad@npm:^1.3.0`). Every entry is a package whether or not anything resolves
//!   to it, so a resolution lockgate misreads can change a dependency path, never which
//!   packages are checked. A `catalog:` / `catalog:<name>` range (Yarn 4.10+) is the
//!   range `.yarnrc.yml` beside the lockfile sets under `catalog` / `catalogs.<name>`;
//!   when that cannot be read, the only entry of the dependency's name (several: an
//!   error, as for any descriptor without an entry).
//!
//! - hashes: `checksum` is a digest of Yarn's own cache zip, not of the registry tarball,
//!   so it is kept as [`Hash::yarn_berry`] (`yarn-berry:10c0/<hex>`; a bare checksum of
//!   an older lockfile gets the `cacheKey` prefix, so equal archives compare equal).
//! - source: from the `resolution`: `npm:` registry, `file:`/`portal:`/`link:`
//!   [`Source::Path`], `http(s)://` tarballs [`Source::Url`] (`…#commit=` or `.git` are
//!   [`Source::Git`]), `workspace:` entries are roots, not packages. A protocol lockgate
//!   does not know (`exec:`, a plugin's `condition:`, …) cannot say what is fetched: the
//!   package is read as [`Source::Url`] with the resolution (without `::` parameters) as
//!   its URL, so the source policy reports it unless `url` sources are allowed, and its
//!   version must still be pinned with its checksum (reported per package rather than
//!   refusing the whole file). A resolution with no protocol is a [`ParseError`].
//! - `patch:` resolutions: a patched package is recorded under its base package's name
//!   and version. Yarn's built-in compatibility patches (`…#optional!builtin<compat/…>`,
//!   which Yarn applies to `typescript`, `fsevents`, `resolve` on its own) keep the base's
//!   source and merge into the base's record (their checksum is added to its hashes;
//!   Yarn 2 and 3 write them `…#~builtin<compat/…>`). A
//!   patch from a file in the repository (`…#~/.yarn/patches/x.patch`) changes the code,
//!   so it is its own record with source [`Source::Path`] `patch:<patch file>`.
//! - roots: the `workspace:` entries, labelled by name. A workspace's dependencies that
//!   its `package.json` (read beside the lockfile, when present) lists under
//!   `devDependencies` are dev; `dependenciesMeta.<name>.optional` marks optional ones.
//!   Workspace-to-workspace dependencies are not edges (both are roots).
//!
//! Lines: classic, the entry's key line (counted while scanning); berry, the key's line
//! from the YAML parser's spans.
//!
//! Not verified: any hash against an artifact, `languageName`/`linkType`/`conditions`,
//! `bin`, `peerDependencies` (read as opaque), that descriptors satisfy versions.

mod berry;
mod builder;
mod classic;
mod manifest;
#[cfg(test)]
mod tests;

use super::{Context, Lockfile, ParseError};
use crate::lockfile::yaml::top_level_scalar;
use berry::parse_berry;
use classic::parse_classic;

/// The `yarn` format: its file names, ecosystem, regenerate hint and parser.
pub static FORMAT: super::Format =
    super::Format::new("yarn", module_path!(), super::Ecosystem::Npm, parse)
        .files(&["yarn.lock"], |name, _| name == "yarn.lock")
        .hint("regenerate it with `yarn install` (or restore it from git)");

/// Parse the text of a `yarn.lock`, classic (v1) or berry (v2+).
pub fn parse(ctx: &Context<'_>, text: &str) -> Result<Lockfile, ParseError> {
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        if t == "# yarn lockfile v1" {
            return parse_classic(ctx, text);
        }
        if t.starts_with('#') {
            continue;
        }
        if line.starts_with("__metadata:") {
            return parse_berry(ctx, text);
        }
        break;
    }
    if top_level_scalar(text, "__metadata").is_some() {
        return parse_berry(ctx, text);
    }
    Err(ctx.error(
        Some(1),
        "neither a Yarn classic lockfile (no `# yarn lockfile v1` header) nor a Yarn berry one (no `__metadata`)",
    ))
}
