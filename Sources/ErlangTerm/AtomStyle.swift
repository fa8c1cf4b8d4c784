/// How atoms are written.
///
/// The distribution and OTP 26+ `term_to_binary/1` write UTF-8 atoms; OTP 25 and older
/// `term_to_binary/1` write Latin-1 atoms as ATOM_EXT. Re-encoding a received term in its
/// publisher's style reproduces the bytes that publisher signed.
public enum AtomStyle: Sendable, Hashable, CaseIterable {
    /// SMALL_ATOM_UTF8_EXT, or ATOM_UTF8_EXT when the UTF-8 text is 256 bytes or longer.
    case utf8
    /// ATOM_EXT with Latin-1 text when every character is Latin-1, else as `utf8`.
    case legacy
}
