/// AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1): the DecoderSpecificInfo of an MP4 `esds`,
/// and the AAC sequence header of FLV.
///
/// Parsed: audioObjectType (with the escape for types above 30), the sampling frequency (with
/// an explicit 24-bit rate for index 15), channelConfiguration, explicit SBR/PS signalling
/// (hierarchical, 1.6.5.2, and backward compatible via syncExtensionType 0x2B7/0x548), and
/// GASpecificConfig (4.4.1) for the AAC family. Serialized: AAC Main/LC/SSR/LTP and TwinVQ,
/// which is what live streams carry. A program_config_element (channelConfiguration 0) is not
/// parsed.
public struct AudioSpecificConfig: Sendable, Equatable {
    /// Object types with a GASpecificConfig (1.6.2.1, Table 1.15).
    public static let gaObjectTypes: Set<UInt8> = [1, 2, 3, 4, 6, 7, 17, 19, 20, 21, 22, 23]
    /// Object types this type can serialize: GA types without layers or error resilience.
    public static let serializableObjectTypes: Set<UInt8> = [1, 2, 3, 4, 7]
    /// Error resilient object types, which add epConfig (1.6.2.1).
    static let errorResilientObjectTypes: Set<UInt8> = [17, 19, 20, 21, 22, 23, 24, 25, 26, 27, 39]
    /// audioObjectType of SBR (HE-AAC) and PS (HE-AAC v2).
    public static let sbrObjectType: UInt8 = 5
    public static let psObjectType: UInt8 = 29
    /// syncExtensionType values of backward-compatible signalling (1.6.5.2).
    static let sbrSyncExtension: UInt32 = 0x2B7
    static let psSyncExtension: UInt32 = 0x548

    /// The core object type: 2 for AAC LC, also under HE-AAC (whose SBR is `extension`).
    public var audioObjectType: UInt8
    public var samplingFrequency: SamplingFrequency
    /// 1...7 and 11...14 name channel layouts (Table 1.19); 0 means a PCE defines them.
    public var channelConfiguration: UInt8
    /// GASpecificConfig frameLengthFlag: 960-sample frames instead of 1024.
    public var frameLengthFlag = false
    /// GASpecificConfig coreCoderDelay, when dependsOnCoreCoder is set.
    public var coreCoderDelay: UInt16?
    public var extensionSignalling = ExtensionSignalling.implicit

    /// samplingFrequencyIndex and the rate it stands for (Table 1.18).
    public struct SamplingFrequency: Sendable, Equatable {
        /// The rates of indexes 0...12.
        public static let table: [UInt32] = [96000, 88200, 64000, 48000, 44100, 32000, 24000,
                                             22050, 16000, 12000, 11025, 8000, 7350]
        /// The index meaning "the rate follows in 24 bits".
        public static let explicitIndex: UInt8 = 15

        /// 0...12, or 15 with an explicit rate.
        public let index: UInt8
        public let hertz: UInt32

        /// A rate of the table by index; 13 and 14 are reserved and 15 needs `init(hertz:)`.
        public init(index: UInt8) throws(CodecError) {
            guard Int(index) < Self.table.count else {
                throw .invalidValue(structure: "AudioSpecificConfig", field: "samplingFrequencyIndex", value: Int64(index))
            }
            self.index = index
            hertz = Self.table[Int(index)]
        }

        /// The table's index for `hertz`, or the explicit form when the table lacks it (only the
        /// low 24 bits of `hertz` can be written).
        public init(hertz: UInt32) {
            if let found = Self.table.firstIndex(of: hertz) {
                index = UInt8(found)
            } else {
                index = Self.explicitIndex
            }
            self.hertz = hertz & 0xFF_FFFF
        }

        /// Index 15 with `hertz`, kept even for a rate the table has (so parsed bytes re-serialize).
        init(explicit hertz: UInt32) {
            index = Self.explicitIndex
            self.hertz = hertz
        }
    }

    /// How SBR and PS (HE-AAC v1/v2) are declared (1.6.5).
    public enum ExtensionSignalling: Sendable, Equatable {
        /// Nothing declared: a decoder may still find SBR in the stream (implicit signalling).
        case implicit
        /// Type 5 or 29 first, then the SBR rate, then the core type.
        case hierarchical(sbrFrequency: SamplingFrequency, psPresent: Bool)
        /// After the core config, syncExtensionType 0x2B7 with sbrPresentFlag 0 (what ffmpeg
        /// writes for plain AAC LC).
        case backwardCompatibleNoSBR
        /// After the core config, 0x2B7 with SBR's rate, and 0x548 with psPresentFlag unless nil.
        case backwardCompatible(sbrFrequency: SamplingFrequency, psPresent: Bool?)
    }

    private static let structure = "AudioSpecificConfig"
}

// Outside the struct body, so that Swift still synthesizes the memberwise init (ADTS headers
// and the tests build configs with it).
extension AudioSpecificConfig {
    public init(parsing bytes: [UInt8]) throws(CodecError) {
        var r = RBSPReader(rbsp: bytes, structure: Self.structure)
        var objectType = try Self.readObjectType(&r)
        samplingFrequency = try Self.readSamplingFrequency(&r)
        channelConfiguration = UInt8(try r.u(4, "channelConfiguration"))
        var signalling = ExtensionSignalling.implicit
        if objectType == Self.sbrObjectType || objectType == Self.psObjectType {
            let sbrFrequency = try Self.readSamplingFrequency(&r)
            signalling = .hierarchical(sbrFrequency: sbrFrequency, psPresent: objectType == Self.psObjectType)
            objectType = try Self.readObjectType(&r)
            if objectType == 22 { _ = try r.u(4, "extensionChannelConfiguration") }
        }
        audioObjectType = objectType
        frameLengthFlag = false
        coreCoderDelay = nil
        extensionSignalling = signalling
        guard Self.gaObjectTypes.contains(objectType) else { return }  // nothing more is parsed

        // GASpecificConfig (4.4.1)
        frameLengthFlag = try r.flag("frameLengthFlag")
        if try r.flag("dependsOnCoreCoder") { coreCoderDelay = UInt16(try r.u(14, "coreCoderDelay")) }
        let extensionFlag = try r.flag("extensionFlag")
        guard channelConfiguration != 0 else {
            throw .unsupported(structure: Self.structure, feature: "program_config_element (channelConfiguration 0)")
        }
        if objectType == 6 || objectType == 20 { _ = try r.u(3, "layerNr") }
        if extensionFlag {
            if objectType == 22 { _ = try r.u(16, "numOfSubFrame, layer_length") }
            if [17, 19, 20, 23].contains(objectType) { _ = try r.u(3, "aac*ResilienceFlag") }
            _ = try r.flag("extensionFlag3")
        }
        if Self.errorResilientObjectTypes.contains(objectType) {
            // ErrorProtectionSpecificConfig is not parsed: stop before it.
            guard try r.u(2, "epConfig") < 2 else { return }
        }
        guard case .implicit = signalling, r.bitsRemaining >= 16,
              try r.u(11, "syncExtensionType") == Self.sbrSyncExtension else { return }
        guard try Self.readObjectType(&r) == Self.sbrObjectType else { return }
        guard try r.flag("sbrPresentFlag") else {
            extensionSignalling = .backwardCompatibleNoSBR
            return
        }
        let sbrFrequency = try Self.readSamplingFrequency(&r)
        var psPresent: Bool?
        if r.bitsRemaining >= 12, try r.u(11, "syncExtensionType") == Self.psSyncExtension {
            psPresent = try r.flag("psPresentFlag")
        }
        extensionSignalling = .backwardCompatible(sbrFrequency: sbrFrequency, psPresent: psPresent)
    }

    /// The core sampling rate (the AAC decoder's; SBR doubles the output rate).
    public var sampleRate: UInt32 { samplingFrequency.hertz }

    /// The rate of the decoded output: SBR's when explicitly signalled, else the core rate.
    public var outputSampleRate: UInt32 {
        switch extensionSignalling {
        case let .hierarchical(sbr, _), let .backwardCompatible(sbr, _): return sbr.hertz
        case .implicit, .backwardCompatibleNoSBR: return samplingFrequency.hertz
        }
    }

    /// Whether Parametric Stereo is declared (it turns a mono core into stereo output).
    public var psPresent: Bool {
        switch extensionSignalling {
        case let .hierarchical(_, ps): return ps
        case let .backwardCompatible(_, ps): return ps ?? false
        case .implicit, .backwardCompatibleNoSBR: return false
        }
    }

    /// Output channels from channelConfiguration (Table 1.19), stereo for mono with PS; nil for
    /// 0 (a PCE decides) and reserved values.
    public var channelCount: Int? {
        let counts: [UInt8: Int] = [1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 8, 11: 7, 12: 8, 13: 24, 14: 8]
        guard let count = counts[channelConfiguration] else { return nil }
        return count == 1 && psPresent ? 2 : count
    }

    /// Core samples per frame: 960 or 1024 for the AAC family (4.5.1.1).
    public var samplesPerFrame: Int { frameLengthFlag ? 960 : 1024 }

    /// The config's bytes: 2 for AAC LC at a table rate, more with an explicit rate, escaped
    /// object type or SBR/PS signalling. Only `serializableObjectTypes` can be written.
    public func serialized() throws(CodecError) -> [UInt8] {
        guard Self.serializableObjectTypes.contains(audioObjectType) else {
            throw .unsupported(structure: Self.structure, feature: "writing audioObjectType \(audioObjectType)")
        }
        guard (1...15).contains(channelConfiguration) else {
            throw .unsupported(structure: Self.structure, feature: "writing channelConfiguration \(channelConfiguration)")
        }
        var w = BitWriter()
        if case let .hierarchical(sbr, ps) = extensionSignalling {
            Self.writeObjectType(ps ? Self.psObjectType : Self.sbrObjectType, to: &w)
            Self.write(samplingFrequency, to: &w)
            w.write(UInt64(channelConfiguration), bits: 4)
            Self.write(sbr, to: &w)
            Self.writeObjectType(audioObjectType, to: &w)
        } else {
            Self.writeObjectType(audioObjectType, to: &w)
            Self.write(samplingFrequency, to: &w)
            w.write(UInt64(channelConfiguration), bits: 4)
        }
        w.writeBit(frameLengthFlag)
        w.writeBit(coreCoderDelay != nil)
        if let delay = coreCoderDelay { w.write(UInt64(delay), bits: 14) }
        w.writeBit(false)  // extensionFlag: 0 for these object types
        switch extensionSignalling {
        case .implicit, .hierarchical:
            break
        case .backwardCompatibleNoSBR:
            w.write(UInt64(Self.sbrSyncExtension), bits: 11)
            Self.writeObjectType(Self.sbrObjectType, to: &w)
            w.writeBit(false)
        case let .backwardCompatible(sbr, ps):
            w.write(UInt64(Self.sbrSyncExtension), bits: 11)
            Self.writeObjectType(Self.sbrObjectType, to: &w)
            w.writeBit(true)
            Self.write(sbr, to: &w)
            if let ps {
                w.write(UInt64(Self.psSyncExtension), bits: 11)
                w.writeBit(ps)
            }
        }
        return w.bytes
    }

    /// GetAudioObjectType() (1.6.2.1.1): 5 bits, or 31 followed by 6 more (types 32...95).
    private static func readObjectType(_ r: inout RBSPReader) throws(CodecError) -> UInt8 {
        let type = UInt8(try r.u(5, "audioObjectType"))
        return type == 31 ? 32 + UInt8(try r.u(6, "audioObjectTypeExt")) : type
    }

    private static func writeObjectType(_ type: UInt8, to w: inout BitWriter) {
        if type >= 32 {
            w.write(31, bits: 5)
            w.write(UInt64(type - 32), bits: 6)
        } else {
            w.write(UInt64(type), bits: 5)
        }
    }

    private static func readSamplingFrequency(_ r: inout RBSPReader) throws(CodecError) -> SamplingFrequency {
        let index = UInt8(try r.u(4, "samplingFrequencyIndex"))
        if index == SamplingFrequency.explicitIndex {
            return SamplingFrequency(explicit: try r.u(24, "samplingFrequency"))
        }
        return try SamplingFrequency(index: index)
    }

    private static func write(_ frequency: SamplingFrequency, to w: inout BitWriter) {
        w.write(UInt64(frequency.index), bits: 4)
        if frequency.index == SamplingFrequency.explicitIndex { w.write(UInt64(frequency.hertz), bits: 24) }
    }
}
