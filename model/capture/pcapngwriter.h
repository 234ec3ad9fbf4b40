#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace TlsLab::Model {

// Builds a pcapng file (the format Wireshark and tshark read natively) in memory: one section, one interface of
// raw IP packets (LINKTYPE_RAW), and enhanced packet blocks with microsecond timestamps. Little-endian, as the
// section header's byte-order magic declares. The packets themselves come from elsewhere (TcpSynthesizer for
// bytes recorded above TCP).
class PcapngWriter
{
public:
    PcapngWriter();

    void addPacket(QByteArrayView ipPacket, quint64 timestampUs);
    const QByteArray &data() const { return m_data; }
    int packetCount() const { return m_packets; }

private:
    QByteArray m_data;
    int m_packets = 0;
};

} // namespace TlsLab::Model
