#include "model/tls/tlsnames.h"

#include <algorithm>
#include <iterator>

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

namespace {

struct Entry
{
    quint16 value;
    const char *name;
};

constexpr bool byValue(const Entry &a, const Entry &b)
{
    return a.value < b.value;
}

// From the IANA TLS registries (tls-parameters, tls-extensiontype-values, tls-signaturescheme); the obsolete
// corners (export, Kerberos, GOST suites) are left out and show as numbers.
constexpr Entry CipherSuites[] = {
    {0x0000, "TLS_NULL_WITH_NULL_NULL"},
    {0x0001, "TLS_RSA_WITH_NULL_MD5"},
    {0x0002, "TLS_RSA_WITH_NULL_SHA"},
    {0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5"},
    {0x0004, "TLS_RSA_WITH_RC4_128_MD5"},
    {0x0005, "TLS_RSA_WITH_RC4_128_SHA"},
    {0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5"},
    {0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA"},
    {0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA"},
    {0x0009, "TLS_RSA_WITH_DES_CBC_SHA"},
    {0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0x000B, "TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA"},
    {0x000C, "TLS_DH_DSS_WITH_DES_CBC_SHA"},
    {0x000D, "TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA"},
    {0x000E, "TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA"},
    {0x000F, "TLS_DH_RSA_WITH_DES_CBC_SHA"},
    {0x0010, "TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA"},
    {0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA"},
    {0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA"},
    {0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA"},
    {0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA"},
    {0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5"},
    {0x0018, "TLS_DH_anon_WITH_RC4_128_MD5"},
    {0x0019, "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA"},
    {0x001A, "TLS_DH_anon_WITH_DES_CBC_SHA"},
    {0x001B, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA"},
    {0x002C, "TLS_PSK_WITH_NULL_SHA"},
    {0x002D, "TLS_DHE_PSK_WITH_NULL_SHA"},
    {0x002E, "TLS_RSA_PSK_WITH_NULL_SHA"},
    {0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA"},
    {0x0030, "TLS_DH_DSS_WITH_AES_128_CBC_SHA"},
    {0x0031, "TLS_DH_RSA_WITH_AES_128_CBC_SHA"},
    {0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA"},
    {0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"},
    {0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA"},
    {0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"},
    {0x0036, "TLS_DH_DSS_WITH_AES_256_CBC_SHA"},
    {0x0037, "TLS_DH_RSA_WITH_AES_256_CBC_SHA"},
    {0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA"},
    {0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"},
    {0x003A, "TLS_DH_anon_WITH_AES_256_CBC_SHA"},
    {0x003B, "TLS_RSA_WITH_NULL_SHA256"},
    {0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256"},
    {0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256"},
    {0x003E, "TLS_DH_DSS_WITH_AES_128_CBC_SHA256"},
    {0x003F, "TLS_DH_RSA_WITH_AES_128_CBC_SHA256"},
    {0x0040, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256"},
    {0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA"},
    {0x0042, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA"},
    {0x0043, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA"},
    {0x0044, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA"},
    {0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA"},
    {0x0046, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA"},
    {0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"},
    {0x0068, "TLS_DH_DSS_WITH_AES_256_CBC_SHA256"},
    {0x0069, "TLS_DH_RSA_WITH_AES_256_CBC_SHA256"},
    {0x006A, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256"},
    {0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256"},
    {0x006C, "TLS_DH_anon_WITH_AES_128_CBC_SHA256"},
    {0x006D, "TLS_DH_anon_WITH_AES_256_CBC_SHA256"},
    {0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA"},
    {0x0085, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA"},
    {0x0086, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA"},
    {0x0087, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA"},
    {0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA"},
    {0x0089, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA"},
    {0x008A, "TLS_PSK_WITH_RC4_128_SHA"},
    {0x008B, "TLS_PSK_WITH_3DES_EDE_CBC_SHA"},
    {0x008C, "TLS_PSK_WITH_AES_128_CBC_SHA"},
    {0x008D, "TLS_PSK_WITH_AES_256_CBC_SHA"},
    {0x008E, "TLS_DHE_PSK_WITH_RC4_128_SHA"},
    {0x008F, "TLS_DHE_PSK_WITH_3DES_EDE_CBC_SHA"},
    {0x0090, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA"},
    {0x0091, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA"},
    {0x0092, "TLS_RSA_PSK_WITH_RC4_128_SHA"},
    {0x0093, "TLS_RSA_PSK_WITH_3DES_EDE_CBC_SHA"},
    {0x0094, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA"},
    {0x0095, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA"},
    {0x0096, "TLS_RSA_WITH_SEED_CBC_SHA"},
    {0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256"},
    {0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384"},
    {0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0x00A0, "TLS_DH_RSA_WITH_AES_128_GCM_SHA256"},
    {0x00A1, "TLS_DH_RSA_WITH_AES_256_GCM_SHA384"},
    {0x00A2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256"},
    {0x00A3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384"},
    {0x00A4, "TLS_DH_DSS_WITH_AES_128_GCM_SHA256"},
    {0x00A5, "TLS_DH_DSS_WITH_AES_256_GCM_SHA384"},
    {0x00A6, "TLS_DH_anon_WITH_AES_128_GCM_SHA256"},
    {0x00A7, "TLS_DH_anon_WITH_AES_256_GCM_SHA384"},
    {0x00A8, "TLS_PSK_WITH_AES_128_GCM_SHA256"},
    {0x00A9, "TLS_PSK_WITH_AES_256_GCM_SHA384"},
    {0x00AA, "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256"},
    {0x00AB, "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384"},
    {0x00AC, "TLS_RSA_PSK_WITH_AES_128_GCM_SHA256"},
    {0x00AD, "TLS_RSA_PSK_WITH_AES_256_GCM_SHA384"},
    {0x00AE, "TLS_PSK_WITH_AES_128_CBC_SHA256"},
    {0x00AF, "TLS_PSK_WITH_AES_256_CBC_SHA384"},
    {0x00B0, "TLS_PSK_WITH_NULL_SHA256"},
    {0x00B1, "TLS_PSK_WITH_NULL_SHA384"},
    {0x00B2, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA256"},
    {0x00B3, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA384"},
    {0x00B4, "TLS_DHE_PSK_WITH_NULL_SHA256"},
    {0x00B5, "TLS_DHE_PSK_WITH_NULL_SHA384"},
    {0x00B6, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA256"},
    {0x00B7, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA384"},
    {0x00B8, "TLS_RSA_PSK_WITH_NULL_SHA256"},
    {0x00B9, "TLS_RSA_PSK_WITH_NULL_SHA384"},
    {0x00BA, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256"},
    {0x00BE, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256"},
    {0x00C0, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256"},
    {0x00C4, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256"},
    {0x00C6, "TLS_SM4_GCM_SM3"},
    {0x00C7, "TLS_SM4_CCM_SM3"},
    {0x00FF, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"},
    {0x1301, "TLS_AES_128_GCM_SHA256"},
    {0x1302, "TLS_AES_256_GCM_SHA384"},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256"},
    {0x1304, "TLS_AES_128_CCM_SHA256"},
    {0x1305, "TLS_AES_128_CCM_8_SHA256"},
    {0x1306, "TLS_AEGIS_256_SHA512"},
    {0x1307, "TLS_AEGIS_128L_SHA256"},
    {0x5600, "TLS_FALLBACK_SCSV"},
    {0xC001, "TLS_ECDH_ECDSA_WITH_NULL_SHA"},
    {0xC002, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA"},
    {0xC003, "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA"},
    {0xC004, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA"},
    {0xC005, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA"},
    {0xC006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA"},
    {0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA"},
    {0xC008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA"},
    {0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"},
    {0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"},
    {0xC00B, "TLS_ECDH_RSA_WITH_NULL_SHA"},
    {0xC00C, "TLS_ECDH_RSA_WITH_RC4_128_SHA"},
    {0xC00D, "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0xC00E, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA"},
    {0xC00F, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA"},
    {0xC010, "TLS_ECDHE_RSA_WITH_NULL_SHA"},
    {0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA"},
    {0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"},
    {0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
    {0xC015, "TLS_ECDH_anon_WITH_NULL_SHA"},
    {0xC016, "TLS_ECDH_anon_WITH_RC4_128_SHA"},
    {0xC017, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA"},
    {0xC018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA"},
    {0xC019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA"},
    {0xC01A, "TLS_SRP_SHA_WITH_3DES_EDE_CBC_SHA"},
    {0xC01B, "TLS_SRP_SHA_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0xC01C, "TLS_SRP_SHA_DSS_WITH_3DES_EDE_CBC_SHA"},
    {0xC01D, "TLS_SRP_SHA_WITH_AES_128_CBC_SHA"},
    {0xC01E, "TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA"},
    {0xC01F, "TLS_SRP_SHA_DSS_WITH_AES_128_CBC_SHA"},
    {0xC020, "TLS_SRP_SHA_WITH_AES_256_CBC_SHA"},
    {0xC021, "TLS_SRP_SHA_RSA_WITH_AES_256_CBC_SHA"},
    {0xC022, "TLS_SRP_SHA_DSS_WITH_AES_256_CBC_SHA"},
    {0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"},
    {0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"},
    {0xC025, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256"},
    {0xC026, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384"},
    {0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"},
    {0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"},
    {0xC029, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256"},
    {0xC02A, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384"},
    {0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
    {0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
    {0xC02D, "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256"},
    {0xC02E, "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384"},
    {0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0xC031, "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256"},
    {0xC032, "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384"},
    {0xC033, "TLS_ECDHE_PSK_WITH_RC4_128_SHA"},
    {0xC034, "TLS_ECDHE_PSK_WITH_3DES_EDE_CBC_SHA"},
    {0xC035, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA"},
    {0xC036, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA"},
    {0xC037, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256"},
    {0xC038, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384"},
    {0xC039, "TLS_ECDHE_PSK_WITH_NULL_SHA"},
    {0xC03A, "TLS_ECDHE_PSK_WITH_NULL_SHA256"},
    {0xC03B, "TLS_ECDHE_PSK_WITH_NULL_SHA384"},
    {0xC050, "TLS_RSA_WITH_ARIA_128_GCM_SHA256"},
    {0xC051, "TLS_RSA_WITH_ARIA_256_GCM_SHA384"},
    {0xC052, "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256"},
    {0xC053, "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384"},
    {0xC05C, "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256"},
    {0xC05D, "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384"},
    {0xC060, "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256"},
    {0xC061, "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384"},
    {0xC072, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256"},
    {0xC073, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384"},
    {0xC076, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256"},
    {0xC077, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384"},
    {0xC09C, "TLS_RSA_WITH_AES_128_CCM"},
    {0xC09D, "TLS_RSA_WITH_AES_256_CCM"},
    {0xC09E, "TLS_DHE_RSA_WITH_AES_128_CCM"},
    {0xC09F, "TLS_DHE_RSA_WITH_AES_256_CCM"},
    {0xC0A0, "TLS_RSA_WITH_AES_128_CCM_8"},
    {0xC0A1, "TLS_RSA_WITH_AES_256_CCM_8"},
    {0xC0A2, "TLS_DHE_RSA_WITH_AES_128_CCM_8"},
    {0xC0A3, "TLS_DHE_RSA_WITH_AES_256_CCM_8"},
    {0xC0A4, "TLS_PSK_WITH_AES_128_CCM"},
    {0xC0A5, "TLS_PSK_WITH_AES_256_CCM"},
    {0xC0A6, "TLS_DHE_PSK_WITH_AES_128_CCM"},
    {0xC0A7, "TLS_DHE_PSK_WITH_AES_256_CCM"},
    {0xC0A8, "TLS_PSK_WITH_AES_128_CCM_8"},
    {0xC0A9, "TLS_PSK_WITH_AES_256_CCM_8"},
    {0xC0AA, "TLS_PSK_DHE_WITH_AES_128_CCM_8"},
    {0xC0AB, "TLS_PSK_DHE_WITH_AES_256_CCM_8"},
    {0xC0AC, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM"},
    {0xC0AD, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM"},
    {0xC0AE, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8"},
    {0xC0AF, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8"},
    {0xC0B4, "TLS_SHA256_SHA256"},
    {0xC0B5, "TLS_SHA384_SHA384"},
    {0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xCCAB, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256"},
    {0xCCAC, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256"},
    {0xCCAD, "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256"},
    {0xCCAE, "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256"},
    {0xD001, "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256"},
    {0xD002, "TLS_ECDHE_PSK_WITH_AES_256_GCM_SHA384"},
    {0xD003, "TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256"},
    {0xD005, "TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256"},
};

constexpr Entry Extensions[] = {
    {0, "server_name"},
    {1, "max_fragment_length"},
    {2, "client_certificate_url"},
    {3, "trusted_ca_keys"},
    {4, "truncated_hmac"},
    {5, "status_request"},
    {6, "user_mapping"},
    {7, "client_authz"},
    {8, "server_authz"},
    {9, "cert_type"},
    {10, "supported_groups"},
    {11, "ec_point_formats"},
    {12, "srp"},
    {13, "signature_algorithms"},
    {14, "use_srtp"},
    {15, "heartbeat"},
    {16, "application_layer_protocol_negotiation"},
    {17, "status_request_v2"},
    {18, "signed_certificate_timestamp"},
    {19, "client_certificate_type"},
    {20, "server_certificate_type"},
    {21, "padding"},
    {22, "encrypt_then_mac"},
    {23, "extended_master_secret"},
    {24, "token_binding"},
    {25, "cached_info"},
    {26, "tls_lts"},
    {27, "compress_certificate"},
    {28, "record_size_limit"},
    {29, "pwd_protect"},
    {30, "pwd_clear"},
    {31, "password_salt"},
    {32, "ticket_pinning"},
    {33, "tls_cert_with_extern_psk"},
    {34, "delegated_credential"},
    {35, "session_ticket"},
    {36, "TLMSP"},
    {37, "TLMSP_proxying"},
    {38, "TLMSP_delegate"},
    {39, "supported_ekt_ciphers"},
    {41, "pre_shared_key"},
    {42, "early_data"},
    {43, "supported_versions"},
    {44, "cookie"},
    {45, "psk_key_exchange_modes"},
    {47, "certificate_authorities"},
    {48, "oid_filters"},
    {49, "post_handshake_auth"},
    {50, "signature_algorithms_cert"},
    {51, "key_share"},
    {52, "transparency_info"},
    {53, "connection_id_deprecated"},
    {54, "connection_id"},
    {55, "external_id_hash"},
    {56, "external_session_id"},
    {57, "quic_transport_parameters"},
    {58, "ticket_request"},
    {59, "dnssec_chain"},
    {60, "sequence_number_encryption_algorithms"},
    {61, "rrc"},
    {62, "tls_flags"},
    {0x3374, "next_protocol_negotiation"}, // not IANA, still sent by old clients
    {0x4469, "application_settings"}, // ALPS, old codepoint
    {0x44CD, "application_settings"}, // ALPS, new codepoint
    {0xFD00, "ech_outer_extensions"},
    {0xFE0D, "encrypted_client_hello"},
    {0xFF01, "renegotiation_info"},
};

constexpr Entry Groups[] = {
    {1, "sect163k1"},
    {2, "sect163r1"},
    {3, "sect163r2"},
    {4, "sect193r1"},
    {5, "sect193r2"},
    {6, "sect233k1"},
    {7, "sect233r1"},
    {8, "sect239k1"},
    {9, "sect283k1"},
    {10, "sect283r1"},
    {11, "sect409k1"},
    {12, "sect409r1"},
    {13, "sect571k1"},
    {14, "sect571r1"},
    {15, "secp160k1"},
    {16, "secp160r1"},
    {17, "secp160r2"},
    {18, "secp192k1"},
    {19, "secp192r1"},
    {20, "secp224k1"},
    {21, "secp224r1"},
    {22, "secp256k1"},
    {23, "secp256r1"},
    {24, "secp384r1"},
    {25, "secp521r1"},
    {26, "brainpoolP256r1"},
    {27, "brainpoolP384r1"},
    {28, "brainpoolP512r1"},
    {29, "x25519"},
    {30, "x448"},
    {31, "brainpoolP256r1tls13"},
    {32, "brainpoolP384r1tls13"},
    {33, "brainpoolP512r1tls13"},
    {34, "GC256A"},
    {35, "GC256B"},
    {36, "GC256C"},
    {37, "GC256D"},
    {38, "GC512A"},
    {39, "GC512B"},
    {40, "GC512C"},
    {41, "curveSM2"},
    {256, "ffdhe2048"},
    {257, "ffdhe3072"},
    {258, "ffdhe4096"},
    {259, "ffdhe6144"},
    {260, "ffdhe8192"},
    {0x0200, "MLKEM512"},
    {0x0201, "MLKEM768"},
    {0x0202, "MLKEM1024"},
    {0x11EB, "SecP256r1MLKEM768"},
    {0x11EC, "X25519MLKEM768"},
    {0x11ED, "SecP384r1MLKEM1024"},
    {0x6399, "X25519Kyber768Draft00"},
    {0x639A, "SecP256r1Kyber768Draft00"},
    {0xFF01, "arbitrary_explicit_prime_curves"},
    {0xFF02, "arbitrary_explicit_char2_curves"},
};

constexpr Entry SignatureSchemes[] = {
    {0x0201, "rsa_pkcs1_sha1"},
    {0x0202, "dsa_sha1"},
    {0x0203, "ecdsa_sha1"},
    {0x0301, "rsa_pkcs1_sha224"},
    {0x0302, "dsa_sha224"},
    {0x0303, "ecdsa_sha224"},
    {0x0401, "rsa_pkcs1_sha256"},
    {0x0402, "dsa_sha256"},
    {0x0403, "ecdsa_secp256r1_sha256"},
    {0x0420, "rsa_pkcs1_sha256_legacy"},
    {0x0501, "rsa_pkcs1_sha384"},
    {0x0502, "dsa_sha384"},
    {0x0503, "ecdsa_secp384r1_sha384"},
    {0x0520, "rsa_pkcs1_sha384_legacy"},
    {0x0601, "rsa_pkcs1_sha512"},
    {0x0602, "dsa_sha512"},
    {0x0603, "ecdsa_secp521r1_sha512"},
    {0x0620, "rsa_pkcs1_sha512_legacy"},
    {0x0704, "eccsi_sha256"},
    {0x0705, "iso_ibs1"},
    {0x0706, "iso_ibs2"},
    {0x0707, "iso_chinese_ibs"},
    {0x0708, "sm2sig_sm3"},
    {0x0709, "gostr34102012_256a"},
    {0x070A, "gostr34102012_256b"},
    {0x070B, "gostr34102012_256c"},
    {0x070C, "gostr34102012_256d"},
    {0x070D, "gostr34102012_512a"},
    {0x070E, "gostr34102012_512b"},
    {0x070F, "gostr34102012_512c"},
    {0x0804, "rsa_pss_rsae_sha256"},
    {0x0805, "rsa_pss_rsae_sha384"},
    {0x0806, "rsa_pss_rsae_sha512"},
    {0x0807, "ed25519"},
    {0x0808, "ed448"},
    {0x0809, "rsa_pss_pss_sha256"},
    {0x080A, "rsa_pss_pss_sha384"},
    {0x080B, "rsa_pss_pss_sha512"},
    {0x081A, "ecdsa_brainpoolP256r1tls13_sha256"},
    {0x081B, "ecdsa_brainpoolP384r1tls13_sha384"},
    {0x081C, "ecdsa_brainpoolP512r1tls13_sha512"},
    {0x0904, "mldsa44"},
    {0x0905, "mldsa65"},
    {0x0906, "mldsa87"},
};

constexpr Entry HandshakeTypes[] = {
    {0, "hello_request"},
    {1, "client_hello"},
    {2, "server_hello"},
    {3, "hello_verify_request"},
    {4, "new_session_ticket"},
    {5, "end_of_early_data"},
    {6, "hello_retry_request"},
    {8, "encrypted_extensions"},
    {9, "request_connection_id"},
    {10, "new_connection_id"},
    {11, "certificate"},
    {12, "server_key_exchange"},
    {13, "certificate_request"},
    {14, "server_hello_done"},
    {15, "certificate_verify"},
    {16, "client_key_exchange"},
    {17, "client_certificate_request"},
    {20, "finished"},
    {21, "certificate_url"},
    {22, "certificate_status"},
    {23, "supplemental_data"},
    {24, "key_update"},
    {25, "compressed_certificate"},
    {26, "ekt_key"},
    {254, "message_hash"},
};

constexpr Entry Alerts[] = {
    {0, "close_notify"},
    {10, "unexpected_message"},
    {20, "bad_record_mac"},
    {21, "decryption_failed"},
    {22, "record_overflow"},
    {30, "decompression_failure"},
    {40, "handshake_failure"},
    {41, "no_certificate"},
    {42, "bad_certificate"},
    {43, "unsupported_certificate"},
    {44, "certificate_revoked"},
    {45, "certificate_expired"},
    {46, "certificate_unknown"},
    {47, "illegal_parameter"},
    {48, "unknown_ca"},
    {49, "access_denied"},
    {50, "decode_error"},
    {51, "decrypt_error"},
    {52, "too_many_cids_requested"},
    {60, "export_restriction"},
    {70, "protocol_version"},
    {71, "insufficient_security"},
    {80, "internal_error"},
    {86, "inappropriate_fallback"},
    {90, "user_canceled"},
    {100, "no_renegotiation"},
    {109, "missing_extension"},
    {110, "unsupported_extension"},
    {111, "certificate_unobtainable"},
    {112, "unrecognized_name"},
    {113, "bad_certificate_status_response"},
    {114, "bad_certificate_hash_value"},
    {115, "unknown_psk_identity"},
    {116, "certificate_required"},
    {120, "no_application_protocol"},
    {121, "ech_required"},
};

constexpr Entry CompressionAlgorithms[] = {{1, "zlib"}, {2, "brotli"}, {3, "zstd"}};
constexpr Entry PskModes[] = {{0, "psk_ke"}, {1, "psk_dhe_ke"}};

static_assert(std::is_sorted(std::begin(CipherSuites), std::end(CipherSuites), byValue));
static_assert(std::is_sorted(std::begin(Extensions), std::end(Extensions), byValue));
static_assert(std::is_sorted(std::begin(Groups), std::end(Groups), byValue));
static_assert(std::is_sorted(std::begin(SignatureSchemes), std::end(SignatureSchemes), byValue));
static_assert(std::is_sorted(std::begin(HandshakeTypes), std::end(HandshakeTypes), byValue));
static_assert(std::is_sorted(std::begin(Alerts), std::end(Alerts), byValue));

template<std::size_t N>
QLatin1StringView find(const Entry (&table)[N], quint16 value)
{
    const Entry *it = std::lower_bound(std::begin(table), std::end(table), Entry {value, nullptr}, byValue);
    if (it == std::end(table) || it->value != value)
        return {};
    return QLatin1StringView(it->name);
}

QString label(QLatin1StringView name, quint16 value)
{
    if (!name.isEmpty())
        return QString(name);
    if (isGrease(value))
        return u"GREASE ("_s + hex16(value) + u')';
    return u"unknown ("_s + hex16(value) + u')';
}

} // namespace

QLatin1StringView cipherSuiteName(quint16 suite)
{
    return find(CipherSuites, suite);
}

QLatin1StringView extensionName(quint16 type)
{
    return find(Extensions, type);
}

QLatin1StringView namedGroupName(quint16 group)
{
    return find(Groups, group);
}

QLatin1StringView signatureSchemeName(quint16 scheme)
{
    return find(SignatureSchemes, scheme);
}

QString handshakeMessageName(quint8 type)
{
    switch (type) {
    case 0:
        return u"HelloRequest"_s;
    case 1:
        return u"ClientHello"_s;
    case 2:
        return u"ServerHello"_s;
    case 4:
        return u"NewSessionTicket"_s;
    case 5:
        return u"EndOfEarlyData"_s;
    case 8:
        return u"EncryptedExtensions"_s;
    case 11:
        return u"Certificate"_s;
    case 12:
        return u"ServerKeyExchange"_s;
    case 13:
        return u"CertificateRequest"_s;
    case 14:
        return u"ServerHelloDone"_s;
    case 15:
        return u"CertificateVerify"_s;
    case 16:
        return u"ClientKeyExchange"_s;
    case 20:
        return u"Finished"_s;
    case 22:
        return u"CertificateStatus"_s;
    case 24:
        return u"KeyUpdate"_s;
    case 25:
        return u"CompressedCertificate"_s;
    case 254:
        return u"MessageHash"_s;
    default:
        return u"handshake type %1"_s.arg(type);
    }
}

QLatin1StringView handshakeTypeName(quint8 type)
{
    return find(HandshakeTypes, type);
}

QLatin1StringView alertDescriptionName(quint8 description)
{
    return find(Alerts, description);
}

QLatin1StringView certificateCompressionName(quint16 algorithm)
{
    return find(CompressionAlgorithms, algorithm);
}

QLatin1StringView pskKeyExchangeModeName(quint8 mode)
{
    return find(PskModes, mode);
}

bool isPostQuantumGroup(quint16 group)
{
    return (group >= 0x0200 && group <= 0x0202) || isHybridGroup(group);
}

bool isHybridGroup(quint16 group)
{
    return (group >= 0x11EB && group <= 0x11ED) || group == 0x6399 || group == 0x639A;
}

QString hex16(quint16 value)
{
    static constexpr char Hex[] = "0123456789abcdef";
    const char text[6]
        = {'0', 'x', Hex[value >> 12], Hex[(value >> 8) & 0xf], Hex[(value >> 4) & 0xf], Hex[value & 0xf]};
    return QString::fromLatin1(text, 6);
}

QString cipherSuiteLabel(quint16 suite)
{
    return label(cipherSuiteName(suite), suite);
}

QString extensionLabel(quint16 type)
{
    return label(extensionName(type), type);
}

QString namedGroupLabel(quint16 group)
{
    return label(namedGroupName(group), group);
}

QString signatureSchemeLabel(quint16 scheme)
{
    return label(signatureSchemeName(scheme), scheme);
}

QString versionLabel(quint16 version)
{
    switch (version) {
    case 0x0002:
        return u"SSL 2.0"_s;
    case 0x0300:
        return u"SSL 3.0"_s;
    case 0x0301:
        return u"TLS 1.0"_s;
    case 0x0302:
        return u"TLS 1.1"_s;
    case 0x0303:
        return u"TLS 1.2"_s;
    case 0x0304:
        return u"TLS 1.3"_s;
    default:
        break;
    }
    if ((version & 0xff00) == 0x7f00)
        return u"TLS 1.3 draft %1"_s.arg(version & 0xff);
    return label({}, version);
}

} // namespace TlsLab::Model
