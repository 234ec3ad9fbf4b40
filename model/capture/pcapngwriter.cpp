#include "model/capture/pcapngwriter.h"

namespace TlsLab::Model {

namespace {

void put16(QByteArray &out, quint16 v)
{
    out.append(char(v & 0xff));
    out.append(char(v >> 8));
}

void put32(QByteArray &out, quint32 v)
{
    put16(out, quint16(v & 0xffff));
    put16(out, quint16(v >> 16));
}

// A block: type, total length, body padded to 32 bits, total length again (pcapng section 3.1).
void putBlock(QByteArray &out, quint32 type, const QByteArray &body)
{
    const quint32 padded = quint32((body.size() + 3) & ~3);
    const quint32 total = 12 + padded;
    put32(out, type);
    put32(out, total);
    out.append(body);
    out.append(QByteArray(padded - body.size(), '\0'));
    put32(out, total);
}

} // namespace

PcapngWriter::PcapngWriter()
{
    QByteArray section;
    put32(section, 0x1A2B3C4D); // byte-order magic
    put16(section, 1); // version 1.0
    put16(section, 0);
    put32(section, 0xffffffff); // section length unknown (-1)
    put32(section, 0xffffffff);
    putBlock(m_data, 0x0A0D0D0A, section);

    QByteArray interface;
    put16(interface, 101); // LINKTYPE_RAW: packets start with the IP header
    put16(interface, 0);
    put32(interface, 0); // no snapshot length limit
    // if_tsresol defaults to microseconds; no options.
    putBlock(m_data, 1, interface);
}

void PcapngWriter::addPacket(QByteArrayView ipPacket, quint64 timestampUs)
{
    QByteArray body;
    put32(body, 0); // interface 0
    put32(body, quint32(timestampUs >> 32));
    put32(body, quint32(timestampUs & 0xffffffff));
    put32(body, quint32(ipPacket.size())); // captured
    put32(body, quint32(ipPacket.size())); // original
    body.append(ipPacket.data(), ipPacket.size());
    putBlock(m_data, 6, body);
    ++m_packets;
}

void PcapngWriter::addTlsKeyLog(QByteArrayView keyLogLines)
{
    if (keyLogLines.isEmpty())
        return;
    QByteArray body;
    put32(body, 0x544c534b); // secrets type "TLSK": NSS key log format
    put32(body, quint32(keyLogLines.size()));
    body.append(keyLogLines.data(), keyLogLines.size());
    putBlock(m_data, 0x0000000A, body);
}

} // namespace TlsLab::Model
