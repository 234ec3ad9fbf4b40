#pragma once

#include "model/certs/certificatedetails.h"

#include <QDateTime>
#include <QList>
#include <QSslCertificate>
#include <QStringList>
#include <QWidget>

class QImage;

namespace TlsLab::Widgets {

// A certificate chain as a picture: leaf → intermediates → root as tiles, left to right, each with its subject's
// common name, key type and size, and a validity bar (issued, now, expiry; the share of its lifetime used) that
// says plainly when a certificate has expired or is not yet valid. A certificate verification failed on is drawn in
// red with the reason, and so is the link to its issuer. Clicking a tile (or Enter on the current one) asks for that
// certificate; the context menu saves the strip as PNG.
class ChainStrip final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChainStrip)

public:
    struct Tile
    {
        Model::CertificateDetails details;
        QStringList problems; // what verification said about this certificate; empty: none (or not verified here)
        bool sent = true; // false: a trust anchor that completed the path but was not sent by the peer
        bool issuerMissing = false; // its issuer is nowhere to be found (the chain ends broken after it)
    };

    explicit ChainStrip(QWidget *parent = nullptr);
    ~ChainStrip() override;

    // The chain as sent, leaf first, with the problems found for each certificate (same order; may be shorter).
    void setChain(const QList<QSslCertificate> &chain, const QList<QStringList> &problems = {});
    // The chain as a verification saw it: the links as sent, then the anchors of the trusted path that were not sent.
    void setAnalysis(const Model::ChainAnalysis &analysis);
    void setTiles(const QList<Tile> &tiles);
    const QList<Tile> &tiles() const { return m_tiles; }
    // The moment the validity bars are drawn against; the current time when never set (or set invalid).
    void setNow(const QDateTime &now);
    QDateTime now() const;

    qsizetype currentTile() const { return m_current; }
    void setCurrentTile(qsizetype index);
    QRect tileRect(qsizetype index) const; // in widget coordinates, for tests
    // What a tile says, one line per fact, as drawn (for tests and the accessible description).
    QString tileText(qsizetype index) const;

    QImage toImage() const; // at its natural size, or wider when it is shown wider
    bool savePng(const QString &path, QString *error = nullptr) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    // The user clicked the tile of this certificate (index into tiles()).
    void certificateActivated(qsizetype index);
    // Save as PNG ended: where it went, or why not (for a status bar).
    void imageSaved(bool ok, const QString &message);

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;

private:
    struct Metrics;
    Metrics metrics(int width) const;
    void paint(QPainter &painter, const QSize &size) const;
    qsizetype tileAt(const QPoint &pos) const;
    void chooseImageFile();
    void tilesChanged();

    QList<Tile> m_tiles;
    QDateTime m_now;
    qsizetype m_current = -1;
};

} // namespace TlsLab::Widgets
