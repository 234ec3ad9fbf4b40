#include "widgets/hellobar.h"

#include <QCborArray>
#include <QEvent>
#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace TlsLab::Widgets {

namespace {

constexpr qsizetype RecordHeaderBytes = 5;

QString bytesText(qsizetype bytes)
{
    return bytes == 1 ? HelloBar::tr("1 byte") : HelloBar::tr("%1 bytes").arg(bytes);
}

HelloBar::Part extensionPart(quint16 type)
{
    switch (type) {
    case 0x0033:
        return HelloBar::Part::KeyShares;
    case 0xfe0d:
        return HelloBar::Part::Ech;
    case 0x0015:
        return HelloBar::Part::Padding;
    default:
        return HelloBar::Part::OtherExtensions;
    }
}

// What the handshake message is made of, in the order of its bytes (offsets into the message, header included).
// Whatever the details do not account for (an SSLv2-compatible or incomplete hello) is one "rest" piece, so that
// the pieces always add up to the message's size.
QList<HelloBar::Segment> messagePieces(const QCborMap &hello, qsizetype size)
{
    QList<HelloBar::Segment> pieces;
    qsizetype at = 0;
    auto add = [&pieces, &at](HelloBar::Part part, qsizetype bytes, const QString &what) {
        if (bytes <= 0)
            return;
        if (!pieces.isEmpty() && part == HelloBar::Part::Rest && pieces.last().part == HelloBar::Part::Rest
            && pieces.last().what == what) {
            pieces.last().bytes += bytes;
        } else {
            pieces.append({part, at, bytes, what});
        }
        at += bytes;
    };
    if (hello.value(u"status"_s).toString() == u"complete"_s && !hello.value(u"sslv2_compatible"_s).toBool()) {
        const qsizetype sessionId = hello.value(u"session_id"_s).toString().size() / 2;
        add(HelloBar::Part::Rest, 4 + 2 + 32 + 1 + sessionId,
            HelloBar::tr("handshake header, version, random, session id"));
        const qsizetype suites = hello.value(u"cipher_suite_values"_s).toArray().size();
        add(HelloBar::Part::CipherSuites, 2 + 2 * suites,
            HelloBar::tr("cipher suites (%n suite(s))", nullptr, int(suites)));
        add(HelloBar::Part::Rest, 1 + hello.value(u"compression_methods"_s).toArray().size(),
            HelloBar::tr("compression methods"));
        const QCborArray extensions = hello.value(u"extensions"_s).toArray();
        if (!extensions.isEmpty())
            add(HelloBar::Part::Rest, 2, HelloBar::tr("extensions length"));
        for (const QCborValue &v : extensions) {
            const QCborMap x = v.toMap();
            const QString number = x.value(u"type"_s).toString();
            const quint16 type = quint16(QStringView(number).mid(2).toUInt(nullptr, 16));
            QString name = x.value(u"name"_s).toString();
            if (!name.startsWith(u"GREASE"_s) && !name.startsWith(u"unknown"_s))
                name += u" ("_s + number + u')';
            add(extensionPart(type), 4 + x.value(u"size"_s).toInteger(), name);
        }
        if (at > size) { // the details disagree with the size: show only what is certain
            pieces.clear();
            at = 0;
        }
    }
    add(HelloBar::Part::Rest, size - at, pieces.isEmpty() ? HelloBar::tr("the hello") : HelloBar::tr("other bytes"));
    return pieces;
}

} // namespace

HelloBar::HelloBar(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"helloBar"_s);
    setAccessibleName(tr("ClientHello composition"));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setMouseTracking(true);
}

HelloBar::~HelloBar() = default;

void HelloBar::clear()
{
    m_segments.clear();
    m_total = 0;
    m_records = 0;
    m_reads = 0;
    m_recordBoundaries.clear();
    m_readBoundaries.clear();
    m_boundariesKnown = false;
    m_caption = tr("No ClientHello seen for this session");
    setAccessibleDescription(m_caption);
    updateGeometry();
    update();
}

void HelloBar::setHello(const QCborMap &hello, const QList<qsizetype> &recordPayloads, const QList<qsizetype> &readEnds)
{
    clear();
    const qsizetype size = hello.value(u"size"_s).toInteger(hello.value(u"bytes"_s).toInteger());
    if (size <= 0)
        return;
    const QList<Segment> pieces = messagePieces(hello, size);

    // Where each record starts, in message offsets: known from the wire, else all headers are put first.
    QList<qsizetype> recordStarts {0};
    m_boundariesKnown = !recordPayloads.isEmpty();
    if (m_boundariesKnown) {
        qsizetype carried = 0;
        for (qsizetype payload : recordPayloads) {
            carried += payload;
            if (carried >= size)
                break;
            recordStarts.append(carried);
        }
        m_records = int(recordStarts.size());
    } else {
        m_records = std::max<int>(1, int(hello.value(u"records"_s).toInteger(1)));
    }
    m_reads = int(hello.value(u"reads"_s).toInteger(0));

    // Splice the record headers in at their places, cutting a piece that a record boundary falls inside.
    qsizetype wire = 0;
    qsizetype nextRecord = 0; // index into recordStarts
    auto header = [this, &wire](int record, int count) {
        const QString what = count == 1 ? tr("TLS record header") : tr("TLS record headers of %1 records").arg(count);
        m_segments.append({Part::Rest, wire, RecordHeaderBytes * count,
            count == 1 && m_records > 1 ? tr("TLS record header (record %1 of %2)").arg(record + 1).arg(m_records)
                                        : what});
        if (wire > 0)
            m_recordBoundaries.append(wire);
        wire += RecordHeaderBytes * count;
    };
    if (!m_boundariesKnown) {
        header(0, m_records);
        nextRecord = recordStarts.size();
    }
    for (const Segment &piece : pieces) {
        qsizetype from = piece.offset;
        const qsizetype end = piece.offset + piece.bytes;
        while (from < end) {
            if (nextRecord < recordStarts.size() && recordStarts.at(nextRecord) <= from) {
                header(int(nextRecord), 1);
                ++nextRecord;
                continue;
            }
            const qsizetype stop = nextRecord < recordStarts.size() ? std::min(end, recordStarts.at(nextRecord)) : end;
            m_segments.append(
                {piece.part, wire, stop - from, from == piece.offset ? piece.what : piece.what + tr(" (continued)")});
            wire += stop - from;
            from = stop;
        }
    }
    m_total = wire;
    for (qsizetype end : readEnds) {
        if (end > 0 && end < m_total)
            m_readBoundaries.append(end);
    }
    if (!m_readBoundaries.isEmpty() && !m_reads)
        m_reads = int(m_readBoundaries.size()) + 1;

    QString how = tr("%n TLS record(s)", nullptr, m_records);
    if (m_reads)
        how += tr(", %n socket read(s)", nullptr, m_reads);
    m_caption = tr("ClientHello: %1 on the wire in %2").arg(bytesText(m_total), how);
    if (!m_boundariesKnown && (m_records > 1 || m_reads > 1))
        m_caption += tr(" (where they split is known once the session has ended)");
    setAccessibleDescription(m_caption);
    updateGeometry();
    update();
}

qsizetype HelloBar::partBytes(Part part) const
{
    qsizetype sum = 0;
    for (const Segment &s : m_segments) {
        if (s.part == part)
            sum += s.bytes;
    }
    return sum;
}

QString HelloBar::partName(Part part)
{
    switch (part) {
    case Part::CipherSuites:
        return tr("Cipher suites");
    case Part::KeyShares:
        return tr("Key shares");
    case Part::Ech:
        return tr("ECH");
    case Part::Padding:
        return tr("Padding");
    case Part::OtherExtensions:
        return tr("Other extensions");
    case Part::Rest:
    case Part::PartCount:
        break;
    }
    return tr("The rest (headers, random…)");
}

QColor HelloBar::partColor(Part part) const
{
    // Hues that stay apart in light and dark palettes; the rest takes the palette's own neutral.
    switch (part) {
    case Part::CipherSuites:
        return QColor::fromHsl(210, 150, 120);
    case Part::KeyShares:
        return QColor::fromHsl(28, 190, 120);
    case Part::Ech:
        return QColor::fromHsl(285, 110, 125);
    case Part::Padding:
        return QColor::fromHsl(50, 160, 150);
    case Part::OtherExtensions:
        return QColor::fromHsl(130, 100, 110);
    case Part::Rest:
    case Part::PartCount:
        break;
    }
    return palette().color(QPalette::Mid);
}

QString HelloBar::segmentToolTip(qsizetype index) const
{
    if (index < 0 || index >= m_segments.size())
        return {};
    const Segment &s = m_segments.at(index);
    return tr("%1: %2 (bytes %3–%4 of %5)\n%6")
        .arg(s.what, bytesText(s.bytes))
        .arg(s.offset)
        .arg(s.offset + s.bytes - 1)
        .arg(m_total)
        .arg(partName(s.part));
}

HelloBar::Geometry HelloBar::metrics() const
{
    const int line = fontMetrics().height();
    Geometry g;
    g.margin = 6;
    g.captionY = g.margin;
    g.barTop = g.captionY + line + 7;
    g.barHeight = std::max(16, line + 2);
    g.legendTop = g.barTop + g.barHeight + 9;
    g.legendRow = line + 2;
    return g;
}

QRect HelloBar::barRect() const
{
    const Geometry g = metrics();
    return {g.margin, g.barTop, std::max(1, width() - 2 * g.margin), g.barHeight};
}

int HelloBar::xOf(qsizetype offset) const
{
    const QRect bar = barRect();
    if (m_total <= 0)
        return bar.left();
    return bar.left() + int(double(offset) * bar.width() / double(m_total));
}

qsizetype HelloBar::segmentAt(int x) const
{
    for (qsizetype i = 0; i < m_segments.size(); ++i) {
        const Segment &s = m_segments.at(i);
        if (x >= xOf(s.offset) && x < std::max(xOf(s.offset + s.bytes), xOf(s.offset) + 1))
            return i;
    }
    return -1;
}

QList<HelloBar::LegendEntry> HelloBar::legend() const
{
    // Only what this hello has: a kind it does not carry, or markers it does not need, would only take room.
    QList<LegendEntry> entries;
    for (int p = 0; p < int(Part::PartCount); ++p) {
        const qsizetype bytes = partBytes(Part(p));
        if (bytes > 0)
            entries.append({partName(Part(p)) + u": "_s + bytesText(bytes), p});
    }
    if (!m_recordBoundaries.isEmpty())
        entries.append({tr("│ record boundary"), -1});
    if (!m_readBoundaries.isEmpty())
        entries.append({tr("┆ socket read"), -2});
    return entries;
}

QList<QPoint> HelloBar::legendPositions(int width, int *height) const
{
    const Geometry g = metrics();
    const QFontMetrics fm = fontMetrics();
    const int swatch = fm.height() - 4;
    QList<QPoint> out;
    int x = g.margin;
    int y = g.legendTop;
    for (const LegendEntry &entry : legend()) {
        const int w = (entry.part >= 0 ? swatch + 6 : 0) + fm.horizontalAdvance(entry.text) + 16;
        if (x > g.margin && x + w > width - g.margin) {
            x = g.margin;
            y += g.legendRow;
        }
        out.append({x, y});
        x += w;
    }
    if (height)
        *height = y + g.legendRow + g.margin;
    return out;
}

int HelloBar::heightForWidth(int width) const
{
    int height = 0;
    legendPositions(width, &height);
    return height;
}

QSize HelloBar::sizeHint() const
{
    return {600, heightForWidth(600)};
}

QSize HelloBar::minimumSizeHint() const
{
    return {200, heightForWidth(width() > 0 ? width() : 600)};
}

void HelloBar::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing, false);
    const Geometry g = metrics();
    const QPalette pal = palette();
    const QFontMetrics fm = fontMetrics();
    p.setPen(pal.color(QPalette::WindowText));
    p.drawText(QRect(g.margin, g.captionY, width() - 2 * g.margin, fm.height()), Qt::AlignLeft | Qt::AlignVCenter,
        fm.elidedText(m_caption, Qt::ElideRight, width() - 2 * g.margin));
    const QRect bar = barRect();
    if (m_segments.isEmpty()) {
        p.setPen(QPen(pal.color(QPalette::Mid), 1, Qt::DashLine));
        p.drawRect(bar.adjusted(0, 0, -1, -1));
        return;
    }
    for (const Segment &s : m_segments) {
        const int x0 = xOf(s.offset);
        const int x1 = std::max(xOf(s.offset + s.bytes), x0 + 1);
        const QRect r(x0, bar.top(), x1 - x0, bar.height());
        p.fillRect(r, partColor(s.part));
        // A thin gap between neighbours of the same kind keeps each extension its own block.
        if (x1 - x0 > 3) {
            p.setPen(pal.color(QPalette::Base));
            p.drawLine(x1 - 1, bar.top(), x1 - 1, bar.bottom());
        }
    }
    p.setPen(pal.color(QPalette::Dark));
    p.drawRect(bar.adjusted(0, 0, -1, -1));
    // Record boundaries: solid, reaching above the bar; socket reads: dashed, reaching below it.
    p.setPen(QPen(pal.color(QPalette::WindowText), 2));
    for (qsizetype at : m_recordBoundaries) {
        const int x = xOf(at);
        p.drawLine(x, bar.top() - 5, x, bar.bottom());
    }
    p.setPen(QPen(pal.color(QPalette::Highlight), 2, Qt::DashLine));
    for (qsizetype at : m_readBoundaries) {
        const int x = xOf(at);
        p.drawLine(x, bar.top(), x, bar.bottom() + 6);
    }

    const QList<LegendEntry> entries = legend();
    const QList<QPoint> positions = legendPositions(width(), nullptr);
    const int swatch = fm.height() - 4;
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const QPoint at = positions.at(i);
        int textX = at.x();
        if (entries.at(i).part >= 0) {
            p.fillRect(QRect(at.x(), at.y() + 2, swatch, swatch), partColor(Part(entries.at(i).part)));
            textX += swatch + 6;
        }
        p.setPen(entries.at(i).part == -2 ? pal.color(QPalette::Highlight) : pal.color(QPalette::WindowText));
        p.drawText(QPoint(textX, at.y() + fm.ascent()), entries.at(i).text);
    }
}

bool HelloBar::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QRect bar = barRect();
        QString text;
        if (help->pos().y() >= bar.top() - 6 && help->pos().y() <= bar.bottom() + 7) {
            text = segmentToolTip(segmentAt(help->pos().x()));
            for (qsizetype at : m_recordBoundaries) {
                if (std::abs(help->pos().x() - xOf(at)) <= 2)
                    text += tr("\nA TLS record starts at byte %1").arg(at);
            }
            for (qsizetype at : m_readBoundaries) {
                if (std::abs(help->pos().x() - xOf(at)) <= 2)
                    text += tr("\nA socket read ended at byte %1").arg(at);
            }
        }
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), text.trimmed(), this);
        return true;
    }
    return QWidget::event(event);
}

} // namespace TlsLab::Widgets
