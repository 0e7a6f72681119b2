import MediaCore
import Synchronization

/// A one-line progress bar on stderr, drawn only on a terminal.
final class ProgressBar: Sendable {
    private let enabled: Bool
    /// The last percentage drawn; updates come from the finalizer's threads.
    private let lastPercent = Mutex(-1)

    init(enabled: Bool) {
        self.enabled = enabled
    }

    func update(_ fraction: Double) {
        guard enabled else { return }
        let percent = Int(fraction * 100)
        lastPercent.withLock { last in
            guard percent != last else { return }
            last = percent
            let width = 30
            let filled = width * percent / 100
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            writeToStandardError("\r[\(bar)] \(percent)%")
        }
    }

    func finish() {
        guard enabled, lastPercent.withLock({ $0 }) >= 0 else { return }
        writeToStandardError("\r\u{1B}[K")
    }
}
