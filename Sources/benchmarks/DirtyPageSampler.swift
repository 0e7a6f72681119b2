import Synchronization

/// The peak of the kernel's dirty page cache (`Dirty:` in /proc/meminfo) while a tool runs,
/// sampled every 10 ms. System-wide: the benchmark syncs before each run, so what it sees is
/// the tool's (plus whatever else the machine writes meanwhile).
final class DirtyPageSampler: Sendable {
    private final class Peak: Sendable {
        let kib = Mutex(0)
    }
    private let peak: Peak
    private let loop: PeriodicSampler

    private init() {
        let peak = Peak()
        self.peak = peak
        loop = PeriodicSampler {
            if let kib = ProcField.value("Dirty", inFile: "/proc/meminfo") { peak.kib.withLock { $0 = max($0, kib) } }
        }
    }

    /// Starts sampling; `stop()` returns the peak in bytes.
    static func start() -> DirtyPageSampler { DirtyPageSampler() }

    func stop() -> Int {
        loop.stop()
        return peak.kib.withLock { $0 } * 1024
    }
}
