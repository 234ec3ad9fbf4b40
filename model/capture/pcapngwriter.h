#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace TlsLab::Model {

// Builds a pcapng file (the format Wireshark and tshark read natively) in memory: one section, one interface of
// raw IP packets (LINKTYPE_RAW), enhanced packet blocks with microsecond timestamps, and optionally a decryption
// secrets block with TLS key log lines, so that Wireshark decrypts with nothing else configured. Little-endian, as the
// section header's byte-order magic declares. The packets themselves come from elsewhere (TcpSynthesizer for
// bytes recorded above TCP).
class PcapngWriter
{
public:
    PcapngWriter();

    void addPacket(QByteArrayView ipPacket, quint64 timestampUs);
    // A Decryption Secrets Block of TLS key log lines (SSLKEYLOGFILE format, one per line). Wireshark applies the
    // secrets to the packets that follow, so add it before them.
    void addTlsKeyLog(QByteArrayView keyLogLines);
    const QByteArray &data() const { return m_data; }
    int packetCount() const { return m_packets; }

private:
    QByteArray m_data;
    int m_packets = 0;
};

} // namespace TlsLab::Model
