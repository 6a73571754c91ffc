//! Rebuild when the dashboard build output changes, so the binary embeds the current
//! `web/dist` (rust-embed cannot tell cargo about files added later).
fn main() {
    println!("cargo:rerun-if-changed=web/dist");
    println!("cargo:rerun-if-changed=build.rs");
}
