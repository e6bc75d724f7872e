//! Finding lockfiles and manifests under the paths the user names.
