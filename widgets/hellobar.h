#pragma once

#include <QCborMap>
#include <QList>
#include <QString>
#include <QWidget>

namespace TlsLab::Widgets {

// The ClientHello at a glance: one bar, as long as the hello is on the wire, cut into what its bytes carry in the
// order they were sent (cipher suites, key shares, ECH, padding, the other extensions, and the rest: headers,
// random, session id...), with the TLS record boundaries and the socket reads (TCP segments as the receiver got them)
// marked where they are known. A 1.8 KB post-quantum hello that no longer fits one segment shows why at once.
// Each segment has a tooltip with its byte count; a legend under the bar totals each kind.
class HelloBar final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HelloBar)

public:
    enum class Part { CipherSuites, KeyShares, Ech, Padding, OtherExtensions, Rest, PartCount };
    struct Segment
    {
        Part part = Part::Rest;
        qsizetype offset = 0; // on the wire, from the first record header
        qsizetype bytes = 0;
        QString what; // "key_share (0x0033)", "TLS record header"
    };

    explicit HelloBar(QWidget *parent = nullptr);
    ~HelloBar() override;

    // hello: a ClientHello event's details (ClientHelloDissection::toCbor(), with "records" and "reads" when the
    // listener counted them). recordPayloads: the payload size of each record that carried it, from the wire bytes
    // (empty: not known; one record is then assumed unless the details say more). readEnds: the wire offsets inside
    // the hello where a socket read (or, on the sending side, a write) ended (empty: not known).
    void setHello(
        const QCborMap &hello, const QList<qsizetype> &recordPayloads = {}, const QList<qsizetype> &readEnds = {});
    void clear();

    const QList<Segment> &segments() const { return m_segments; }
    qsizetype totalBytes() const { return m_total; }
    qsizetype partBytes(Part part) const;
    int recordCount() const { return m_records; }
    // Wire offsets where a record after the first starts, and where a socket read ended; empty when not known.
    const QList<qsizetype> &recordBoundaries() const { return m_recordBoundaries; }
    const QList<qsizetype> &readBoundaries() const { return m_readBoundaries; }
    bool boundariesKnown() const { return m_boundariesKnown; }
    QString caption() const { return m_caption; }

    static QString partName(Part part);
    QColor partColor(Part part) const;
    QString segmentToolTip(qsizetype index) const;
    qsizetype segmentAt(int x) const; // -1 outside the bar

    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    bool event(QEvent *event) override;

private:
    struct Geometry
    {
        int margin, captionY, barTop, barHeight, legendTop, legendRow;
    };
    Geometry metrics() const;
    QRect barRect() const;
    int xOf(qsizetype offset) const;
    // The legend's entries laid out in rows for a width: each entry's top-left corner.
    QList<QPoint> legendPositions(int width, int *height) const;
    struct LegendEntry
    {
        QString text;
        int part; // a Part; -1 the record boundary marker, -2 the socket read marker
    };
    QList<LegendEntry> legend() const;

    QList<Segment> m_segments;
    qsizetype m_total = 0;
    int m_records = 0;
    int m_reads = 0;
    QList<qsizetype> m_recordBoundaries;
    QList<qsizetype> m_readBoundaries;
    bool m_boundariesKnown = false;
    QString m_caption;
};

} // namespace TlsLab::Widgets
