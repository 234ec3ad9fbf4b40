#pragma once

#include <QByteArrayView>
#include <QLatin1StringView>
#include <QString>

namespace TlsLab::Model {

// Reads the big-endian integers and length-prefixed vectors of the TLS presentation language from bytes it does not
// own, never past their end. A failed read leaves a precise message ("cipher_suites claims 40 bytes, 12 remain
// (at byte 43)") that the dissectors hand on to the user unchanged; byte positions count from the start of the
// handshake message (the base), so a message can be found in a hex dump.
class TlsReader
{
public:
    explicit TlsReader(QByteArrayView data, qsizetype base = 0)
        : m_data(data)
        , m_base(base)
    { }

    qsizetype remaining() const { return m_data.size() - m_pos; }
    bool atEnd() const { return m_pos >= m_data.size(); }
    qsizetype offset() const { return m_base + m_pos; } // of the next byte, from the start of the message
    const QString &error() const { return m_error; }

    bool u8(quint8 &value, const char *what)
    {
        if (!need(1, what))
            return false;
        value = quint8(m_data[m_pos]);
        m_pos += 1;
        return true;
    }
    bool u16(quint16 &value, const char *what)
    {
        if (!need(2, what))
            return false;
        value = quint16((quint8(m_data[m_pos]) << 8) | quint8(m_data[m_pos + 1]));
        m_pos += 2;
        return true;
    }
    bool u24(quint32 &value, const char *what)
    {
        if (!need(3, what))
            return false;
        value = (quint32(quint8(m_data[m_pos])) << 16) | (quint32(quint8(m_data[m_pos + 1])) << 8)
            | quint8(m_data[m_pos + 2]);
        m_pos += 3;
        return true;
    }
    bool u32(quint32 &value, const char *what)
    {
        if (!need(4, what))
            return false;
        value = (quint32(quint8(m_data[m_pos])) << 24) | (quint32(quint8(m_data[m_pos + 1])) << 16)
            | (quint32(quint8(m_data[m_pos + 2])) << 8) | quint8(m_data[m_pos + 3]);
        m_pos += 4;
        return true;
    }
    // Exactly n bytes.
    bool bytes(qsizetype n, QByteArrayView &out, const char *what)
    {
        if (!need(n, what))
            return false;
        out = m_data.sliced(m_pos, n);
        m_pos += n;
        return true;
    }
    // A vector with a 1-, 2- or 3-byte length prefix; sets *start to the offset of its first byte when asked.
    bool vector8(QByteArrayView &out, const char *what, qsizetype *start = nullptr)
    {
        const qsizetype at = offset();
        quint8 n = 0;
        return u8(n, what) && claimed(n, out, what, start, at);
    }
    bool vector16(QByteArrayView &out, const char *what, qsizetype *start = nullptr)
    {
        const qsizetype at = offset();
        quint16 n = 0;
        return u16(n, what) && claimed(n, out, what, start, at);
    }
    bool vector24(QByteArrayView &out, const char *what, qsizetype *start = nullptr)
    {
        const qsizetype at = offset();
        quint32 n = 0;
        return u24(n, what) && claimed(n, out, what, start, at);
    }
    // Fails when bytes are left over after the last field of what.
    bool expectEnd(const char *what)
    {
        if (atEnd())
            return true;
        return fail(QStringLiteral("%1 has %2 unexpected bytes after its last field (at byte %3)")
                        .arg(QLatin1StringView(what), QString::number(remaining()), QString::number(offset())));
    }
    bool fail(QString message)
    {
        if (m_error.isEmpty())
            m_error = std::move(message);
        return false;
    }

private:
    bool need(qsizetype n, const char *what)
    {
        if (remaining() >= n)
            return true;
        return fail(QStringLiteral("%1 is cut short: needs %2 bytes, %3 remain (at byte %4)")
                        .arg(QLatin1StringView(what), QString::number(n), QString::number(remaining()),
                            QString::number(offset())));
    }
    // at: where the length field starts, which is what the message points to.
    bool claimed(qsizetype n, QByteArrayView &out, const char *what, qsizetype *start, qsizetype at)
    {
        if (remaining() < n)
            return fail(QStringLiteral("%1 claims %2 bytes, %3 remain (at byte %4)")
                            .arg(QLatin1StringView(what), QString::number(n), QString::number(remaining()),
                                QString::number(at)));
        if (start)
            *start = offset();
        out = m_data.sliced(m_pos, n);
        m_pos += n;
        return true;
    }

    QByteArrayView m_data;
    qsizetype m_base = 0;
    qsizetype m_pos = 0;
    QString m_error;
};

} // namespace TlsLab::Model
