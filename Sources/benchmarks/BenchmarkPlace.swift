/// Where a benchmark works and what it runs, the same for every benchmark that starts the
/// recorder: its scratch folder, the folder holding the recorder and mp4writer to run, and an
/// existing clip to reuse (else one is encoded into the scratch folder).
struct BenchmarkPlace {
    let directory: String
    let tools: String
    let clipPath: String?
}
