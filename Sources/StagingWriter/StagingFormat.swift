import MediaCore

/// The staging-set format, version 1 (docs/staging-format.md is the byte-by-byte reference).
///
/// For a recording `NAME.mp4` the set is:
///
/// ```
/// NAME.mp4.mdat    sample payloads, appended in arrival order; becomes the MP4's mdat body
/// NAME.mp4.trackN  48-byte header, then 40-byte units:
///                  +--------+------------+------+------+--------+-----+-----+--------+--------+
///                  | 'smpl' | mdat offset| size | dts  | cts off|flags| sdi | pay CRC| rec CRC|
///                  |   4    |     8      |  4   |  8   |   4    |  2  |  2  |   4    |   4    |
///                  +--------+------------+------+------+--------+-----+-----+--------+--------+
///                  an 'sdsc' unit is followed by its encoded sample description, padded to
///                  whole units; every track file starts with one for description 1
/// NAME.mp4.info    summary rewritten atomically: tracks, descriptions, closed state, counts
/// ```
///
/// Every unit checks itself (CRC-32C of its first 36 bytes) and the payload it points at
/// (CRC-32C of the payload), so a torn tail, zeros from a power cut or garbage are detected
/// and dropped one unit at a time, keeping all that is intact.
public enum StagingFormat {
    public static let version: UInt16 = 1

    /// Codecs a staging set may hold: those mp4writer has a sample entry for. A set naming
    /// another codec is malformed (a damaged byte), never a crash.
    public static let storableCodecs: Set<Codec> = [.h264, .h265, .aac, .mp3, .ac3, .eac3, .opus, .pcmMulaw, .pcmAlaw, .av1, .vp9]

    public static let trackMagic: [UInt8] = Array("SRSTGTRK".utf8)
    public static let infoMagic: [UInt8] = Array("SRSTGINF".utf8)

    /// Bytes in a track file header.
    public static let trackHeaderSize = 48
    /// Bytes in one record unit; sample-description bodies are padded to multiples of it so
    /// that every unit of a track file starts at `trackHeaderSize + k * unitSize`.
    public static let unitSize = 40

    public static let sampleTag: UInt32 = 0x736D_706C   // 'smpl'
    public static let descriptionTag: UInt32 = 0x7364_7363  // 'sdsc'

    /// A sample description body larger than this is not a real codec configuration.
    public static let maxDescriptionSize = 1 << 20
    /// One access unit larger than this is not real media (8K intra at 200 Mbps is ~4 MiB).
    public static let maxSampleSize = 256 << 20
    /// More tracks than this is not a recording we make.
    public static let maxTracks = 64
}
