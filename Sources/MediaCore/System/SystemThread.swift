import SystemShims
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A POSIX thread running a closure, for the layers below Foundation (the transport's accept
/// and connection threads). Unlike `Thread.detachNewThread`, a failure to start (EAGAIN when
/// the process is at its thread limit) is an error the caller handles, so it can close what the
/// thread would have owned instead of crashing. The corresponding C function is
/// `pthread_create`.
public struct SystemThread: Sendable {
    private let handle: pthread_t

    private final class Start {
        let name: String
        let body: @Sendable () -> Void
        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }

    /// Starts `body` on a new thread named `name` (the first 15 bytes show in `top -H`).
    /// Detached threads release themselves when `body` returns; a joinable one must be
    /// `join`ed.
    @discardableResult
    public static func start(name: String, detached: Bool, _ body: @escaping @Sendable () -> Void) throws(SystemError) -> SystemThread {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        if detached { pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED)) }
        let start = Unmanaged.passRetained(Start(name: name, body: body)).toOpaque()
        var handle = pthread_t()
        let rc = pthread_create(&handle, &attributes, { raw in
            let start = Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue()
            _ = shim_pthread_setname_np(pthread_self(), String(start.name.utf8.prefix(15))!)
            start.body()
            return nil
        }, start)
        guard rc == 0 else {
            Unmanaged<Start>.fromOpaque(start).release()
            throw SystemError(call: "pthread_create", path: name, errno: rc)
        }
        return SystemThread(handle: handle)
    }

    /// Waits for a joinable thread to end. The corresponding C function is `pthread_join`.
    public func join() {
        _ = pthread_join(handle, nil)
    }
}
