//! Rebuild when the dashboard build output or a store chart changes, so the binary embeds
//! the current `web/dist` and `charts/*-store` (rust-embed cannot tell cargo about files added later).
fn main() {
    println!("cargo:rerun-if-changed=web/dist");
    // The store charts are built in too (src/charts.rs).
    println!("cargo:rerun-if-changed=charts/woocommerce-store");
    println!("cargo:rerun-if-changed=charts/medusa-store");
    println!("cargo:rerun-if-changed=build.rs");
}
