/// Track ids by convention across the containers: FLV and MPEG-TS carry at most one video and
/// one audio stream that this project records.
public enum ContainerTrackID {
    public static let video: UInt32 = 1
    public static let audio: UInt32 = 2
}
