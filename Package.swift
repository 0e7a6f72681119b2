// swift-tools-version: 6.0
// The recorder and mp4writer: toolchain only, no package dependencies.
import PackageDescription

let package = Package(
    name: "StreamRecorder",
    products: [
        .executable(name: "mp4writer", targets: ["mp4writer"]),
        .executable(name: "recorder", targets: ["recorder"]),
    ],
    targets: [
        // Layer 1: bytes, system calls, frames, codec knowledge.
        .target(name: "SystemShims"),
        .target(name: "MediaCore", dependencies: ["SystemShims"]),
        // Layer 2: ISO BMFF boxes, box writer, MP4 reader.
        .target(name: "ISOBMFF", dependencies: ["MediaCore"]),
        // Layer 3: the crash-safe staging-set format.
        .target(name: "StagingWriter", dependencies: ["MediaCore"]),
        // Layer 3: FLV and MPEG-TS readers and writers (MediaFrame in, MediaFrame out).
        .target(name: "Containers", dependencies: ["MediaCore"]),
        // Layer 4: staging set -> fast-start MP4.
        .target(name: "MP4Finalizer", dependencies: ["MediaCore", "ISOBMFF", "StagingWriter"]),
        // Layer 4: RTMP handshake, chunk stream, messages, server session (no sockets).
        .target(name: "RTMP", dependencies: ["MediaCore", "Containers"]),
        // Layer 4: RTSP messages, SDP, RTP depacketizers, client and server sessions (no sockets).
        .target(name: "RTSP", dependencies: ["MediaCore", "Containers"]),
        // Layer 4: exports: chunk MP4s joined by stream copy into one fast-start MP4, served
        // as a spliced file (the moov in memory, the samples read from the chunks).
        .target(name: "MP4Export", dependencies: ["MediaCore", "ISOBMFF"]),
        // Layer 5: running it for months: recordings catalog, retention, metrics, health.
        .target(name: "Operations", dependencies: ["MediaCore", "ISOBMFF", "Containers"]),
        // Layer 5: recording (sources, sessions, sinks).
        .target(name: "Recorder", dependencies: ["MediaCore", "ISOBMFF", "StagingWriter", "MP4Finalizer", "Containers", "RTMP", "RTSP", "Operations", "MP4Export"]),
        // Thin executables.
        .executableTarget(name: "mp4writer", dependencies: ["MP4Finalizer", "MP4Export", "StagingWriter", "MediaCore"]),
        .executableTarget(name: "recorder", dependencies: ["Recorder"]),
        // Benchmarks the project ships: run in release, print figures (docs/benchmarks.md).
        .executableTarget(name: "benchmarks", dependencies: ["Recorder", "StagingWriter", "MP4Finalizer", "MP4Export", "ISOBMFF", "Operations", "SyntheticMedia"]),
        // The crash-safe floor of an in-place finalize (journal, syncs, rename; C, libc only).
        .executableTarget(name: "finalizefloor"),

        // Test code. SyntheticMedia: deterministic fake samples (tests and the benchmarks);
        // synthwriter: writes them as a staging set in a process of its own, for kill tests.
        .target(name: "SyntheticMedia", dependencies: ["MediaCore"], path: "Tests/SyntheticMedia"),
        .executableTarget(name: "synthwriter", dependencies: ["SyntheticMedia", "StagingWriter", "MediaCore"], path: "Tests/SynthWriter"),
        // Shared by the test targets: fixture paths, temporary folders, running ffmpeg/ffprobe.
        .target(name: "TestSupport", dependencies: ["MediaCore", "ISOBMFF", "SyntheticMedia"], path: "Tests/TestSupport"),
        // Unit tests: libraries only, no process started.
        .testTarget(name: "MediaCoreTests", dependencies: ["MediaCore", "TestSupport"]),
        .testTarget(name: "ISOBMFFTests", dependencies: ["TestSupport", "ISOBMFF", "MediaCore"]),
        .testTarget(name: "MP4ExportTests", dependencies: ["MP4Export", "MediaCore", "TestSupport"]),
        .testTarget(name: "ContainersTests", dependencies: ["Containers", "MediaCore", "TestSupport", "ISOBMFF"]),
        .testTarget(name: "StagingWriterTests", dependencies: ["TestSupport", "SyntheticMedia", "StagingWriter", "MediaCore", "ISOBMFF"]),
        .testTarget(name: "MP4FinalizerTests", dependencies: ["TestSupport", "SyntheticMedia", "MP4Finalizer", "StagingWriter", "ISOBMFF", "MediaCore", "Recorder"]),
        .testTarget(name: "RecorderAPITests", dependencies: ["Recorder", "TestSupport", "MediaCore", "Operations", "StagingWriter"]),
        // Integration tests: they run the executables (found through TestPaths.executable).
        .testTarget(name: "RecorderTests", dependencies: ["TestSupport", "Recorder", "Containers", "MediaCore", "mp4writer", "recorder"]),
        .testTarget(name: "InteropTests", dependencies: ["TestSupport", "SyntheticMedia", "recorder", "mp4writer", "MP4Finalizer", "StagingWriter", "ISOBMFF", "MediaCore", "Recorder"]),
        .testTarget(name: "RecoveryTests", dependencies: ["TestSupport", "SyntheticMedia", "synthwriter", "mp4writer", "Recorder", "MP4Finalizer", "StagingWriter", "ISOBMFF", "MediaCore"]),
        .testTarget(name: "RTMPTests", dependencies: ["RTMP", "Recorder", "Containers", "ISOBMFF", "MediaCore", "TestSupport", "mp4writer", "recorder"]),
        .testTarget(name: "ReliabilityTests", dependencies: ["TestSupport", "SyntheticMedia", "Recorder", "Containers", "RTMP", "StagingWriter", "MP4Finalizer", "ISOBMFF", "MediaCore", "recorder", "mp4writer", "synthwriter"]),
        .testTarget(name: "RTSPTests", dependencies: ["RTSP", "Recorder", "Containers", "MediaCore", "TestSupport", "mp4writer", "recorder"]),
        .testTarget(name: "OperationsTests", dependencies: ["Operations", "Recorder", "MP4Export", "TestSupport", "MediaCore", "ISOBMFF", "recorder", "mp4writer"]),
    ],
    swiftLanguageModes: [.v6]
)
