/// profile_tier_level(1, maxNumSubLayersMinus1) of H.265 (ISO/IEC 23008-2 7.3.3), as the VPS
/// and SPS carry it: the general profile, tier and level, then optional per-sub-layer ones.
public struct ProfileTierLevel: Sendable, Equatable {
    /// sps_max_sub_layers_minus1 and vps_max_sub_layers_minus1 are 0...6 (7.4.3.1, 7.4.3.2.1).
    public static let maxSubLayers = 7

    public let general: Profile
    /// general_level_idc: 30 times the level number (level 4.1 is 123).
    public let generalLevelIdc: UInt8
    /// Sub-layers 0 ..< maxSubLayersMinus1, each with what it chose to signal.
    public let subLayers: [SubLayer]

    /// The profile part, general_* or sub_layer_*.
    public struct Profile: Sendable, Equatable {
        public let profileSpace: UInt8
        /// false Main tier, true High tier.
        public let tierFlag: Bool
        public let profileIdc: UInt8
        /// profile_compatibility_flag[0...31], flag 0 in the top bit.
        public let compatibilityFlags: UInt32
        /// The 48 bits from progressive_source_flag to the end of the constraint flags, in
        /// their stream order with progressive_source_flag in bit 47: hvcC copies them as
        /// general_constraint_indicator_flags.
        public let constraintIndicatorFlags: UInt64

        public init(profileSpace: UInt8, tierFlag: Bool, profileIdc: UInt8,
                    compatibilityFlags: UInt32, constraintIndicatorFlags: UInt64) {
            self.profileSpace = profileSpace
            self.tierFlag = tierFlag
            self.profileIdc = profileIdc
            self.compatibilityFlags = compatibilityFlags
            self.constraintIndicatorFlags = constraintIndicatorFlags
        }

        public var progressiveSource: Bool { constraintIndicatorFlags >> 47 & 1 == 1 }
        public var interlacedSource: Bool { constraintIndicatorFlags >> 46 & 1 == 1 }

        init(reading r: inout RBSPReader) throws(CodecError) {
            profileSpace = UInt8(try r.u(2, "profile_space"))
            tierFlag = try r.flag("tier_flag")
            profileIdc = UInt8(try r.u(5, "profile_idc"))
            compatibilityFlags = try r.u(32, "profile_compatibility_flag")
            constraintIndicatorFlags = try r.u64(48, "constraint_indicator_flags")
        }
    }

    public struct SubLayer: Sendable, Equatable {
        /// nil when sub_layer_profile_present_flag is 0.
        public let profile: Profile?
        /// nil when sub_layer_level_present_flag is 0.
        public let levelIdc: UInt8?
    }

    init(reading r: inout RBSPReader, maxSubLayersMinus1: UInt8) throws(CodecError) {
        general = try Profile(reading: &r)
        generalLevelIdc = UInt8(try r.u(8, "general_level_idc"))
        let count = Int(maxSubLayersMinus1)
        var present: [(profile: Bool, level: Bool)] = []
        for _ in 0..<count {
            present.append((try r.flag("sub_layer_profile_present_flag"), try r.flag("sub_layer_level_present_flag")))
        }
        if count > 0 {
            try r.skip(2 * (8 - count), "reserved_zero_2bits")
        }
        var subLayers: [SubLayer] = []
        for flags in present {
            let profile = flags.profile ? try Profile(reading: &r) : nil
            let level = flags.level ? UInt8(try r.u(8, "sub_layer_level_idc")) : nil
            subLayers.append(SubLayer(profile: profile, levelIdc: level))
        }
        self.subLayers = subLayers
    }
}
