//! The HTTP ceiling for benchmarks: a plain axum hello-world on the same runtime settings
//! as `sctx serve`. `cargo run --release --example hello_axum -- 127.0.0.1:8098`

#[tokio::main]
async fn main() {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:8098".into());
    let app = axum::Router::new().route("/", axum::routing::get(|| async { "Hello, World!" }));
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    axum::serve(listener, app).await.expect("serve");
}
