#include "widgets/chainstrip.h"

#include <QAction>
#include <QContextMenuEvent>
#include <QFileDialog>
#include <QHelpEvent>
#include <QImage>
#include <QMenu>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QSaveFile>
#include <QToolTip>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace TlsLab::Widgets {

using Model::CertificateDetails;
using Model::ChainAnalysis;

namespace {
constexpr int Padding = 8;
constexpr int TextLines = 5; // role and key, name, dates, status, verdict

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

QString keyText(const CertificateDetails &d)
{
    if (!d.publicKeyCurve.isEmpty())
        return u"%1 %2"_s.arg(d.publicKeyAlgorithm, d.publicKeyCurve);
    if (d.publicKeyBits > 0 && d.publicKeyAlgorithm != u"Ed25519"_s && d.publicKeyAlgorithm != u"Ed448"_s)
        return ChainStrip::tr("%1 %2 bits").arg(d.publicKeyAlgorithm).arg(d.publicKeyBits);
    return d.publicKeyAlgorithm;
}

enum class Validity { Unknown, NotYetValid, Valid, Expired };

Validity validityAt(const CertificateDetails &d, const QDateTime &now)
{
    if (!d.notBefore.isValid() || !d.notAfter.isValid())
        return Validity::Unknown;
    if (now < d.notBefore)
        return Validity::NotYetValid;
    if (now > d.notAfter)
        return Validity::Expired;
    return Validity::Valid;
}

// The share of the certificate's lifetime used by `now`, 0..1.
double lifetimeUsed(const CertificateDetails &d, const QDateTime &now)
{
    const qint64 total = d.notBefore.secsTo(d.notAfter);
    if (total <= 0)
        return 1.0;
    return std::clamp(double(d.notBefore.secsTo(now)) / double(total), 0.0, 1.0);
}
} // namespace

struct ChainStrip::Metrics
{
    int line = 0;
    int tileWidth = 0;
    int tileHeight = 0;
    int connector = 0; // the gap between two tiles, where the "issued by" arrow goes
    int bar = 0; // height of the validity bar
};

ChainStrip::ChainStrip(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"chainStrip"_s);
    setAccessibleName(tr("Certificate chain strip"));
    setFocusPolicy(Qt::StrongFocus);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setToolTip(tr("Click a certificate to open it; right-click to save the strip as PNG"));
}

ChainStrip::~ChainStrip() = default;

void ChainStrip::setChain(const QList<QSslCertificate> &chain, const QList<QStringList> &problems)
{
    QList<Tile> tiles;
    for (qsizetype i = 0; i < chain.size(); ++i)
        tiles.append(Tile {CertificateDetails::fromCertificate(chain.at(i)), problems.value(i), true, false});
    setTiles(tiles);
}

void ChainStrip::setAnalysis(const ChainAnalysis &analysis)
{
    QList<Tile> tiles;
    for (const ChainAnalysis::Link &link : analysis.chain)
        tiles.append(Tile {
            link.details, link.verified ? QStringList() : link.errors, true, link.issuerSource == u"not found"_s});
    for (const CertificateDetails &details : analysis.trustPath) {
        const bool sent = std::any_of(analysis.chain.cbegin(), analysis.chain.cend(),
            [&details](const ChainAnalysis::Link &l) { return l.details.pem == details.pem; });
        if (!sent)
            tiles.append(Tile {details, {}, false, false});
    }
    setTiles(tiles);
}

void ChainStrip::setTiles(const QList<Tile> &tiles)
{
    m_tiles = tiles;
    tilesChanged();
}

void ChainStrip::setNow(const QDateTime &now)
{
    m_now = now;
    update();
}

QDateTime ChainStrip::now() const
{
    return m_now.isValid() ? m_now : QDateTime::currentDateTimeUtc();
}

void ChainStrip::tilesChanged()
{
    if (m_current >= m_tiles.size())
        m_current = -1;
    QStringList description;
    for (qsizetype i = 0; i < m_tiles.size(); ++i)
        description.append(tileText(i).replace(u'\n', u"; "_s));
    setAccessibleDescription(description.join(u" → "_s));
    updateGeometry();
    update();
}

void ChainStrip::setCurrentTile(qsizetype index)
{
    if (index < -1 || index >= m_tiles.size())
        return;
    m_current = index;
    update();
}

ChainStrip::Metrics ChainStrip::metrics(int width) const
{
    const QFontMetrics fm(font());
    Metrics m;
    m.line = fm.height();
    m.bar = std::max(6, m.line / 2);
    m.connector = fm.averageCharWidth() * 4;
    m.tileHeight = Padding * 2 + TextLines * m.line + m.bar + 6;
    const int natural = fm.averageCharWidth() * 30;
    const int least = fm.averageCharWidth() * 16;
    const auto n = int(std::max<qsizetype>(m_tiles.size(), 1));
    // Tiles share the width they are given, between a readable least and their natural width.
    const int fit = (width - Padding * 2 - (n - 1) * m.connector) / n;
    m.tileWidth = width <= 0 ? natural : std::clamp(fit, least, natural);
    return m;
}

QSize ChainStrip::sizeHint() const
{
    const Metrics m = metrics(0);
    const auto n = int(std::max<qsizetype>(m_tiles.size(), 1));
    return {Padding * 2 + n * m.tileWidth + (n - 1) * m.connector, m.tileHeight + Padding * 2};
}

QSize ChainStrip::minimumSizeHint() const
{
    const Metrics m = metrics(1);
    const auto n = int(std::max<qsizetype>(m_tiles.size(), 1));
    return {Padding * 2 + n * m.tileWidth + (n - 1) * m.connector, m.tileHeight + Padding * 2};
}

QRect ChainStrip::tileRect(qsizetype index) const
{
    const Metrics m = metrics(width());
    return {Padding + int(index) * (m.tileWidth + m.connector), Padding, m.tileWidth, m.tileHeight};
}

qsizetype ChainStrip::tileAt(const QPoint &pos) const
{
    for (qsizetype i = 0; i < m_tiles.size(); ++i) {
        if (tileRect(i).contains(pos))
            return i;
    }
    return -1;
}

QString ChainStrip::tileText(qsizetype index) const
{
    if (index < 0 || index >= m_tiles.size())
        return {};
    const Tile &tile = m_tiles.at(index);
    const CertificateDetails &d = tile.details;
    const bool last = index == m_tiles.size() - 1;
    QString role;
    if (!tile.sent)
        role = tr("root (trust anchor, not sent)");
    else if (index == 0 && d.isSelfSigned)
        role = tr("leaf, self-signed");
    else if (index == 0)
        role = tr("leaf");
    else if (last && d.isSelfSigned)
        role = tr("root");
    else
        role = tr("intermediate");
    const QString name = d.commonName().isEmpty() ? d.subjectText : d.commonName();
    const QDateTime at = now();
    QString status;
    switch (validityAt(d, at)) {
    case Validity::Unknown:
        status = tr("validity unknown");
        break;
    case Validity::NotYetValid:
        status = tr("NOT YET VALID: %1").arg(d.validityStatus(at));
        break;
    case Validity::Expired:
        status = tr("EXPIRED %1").arg(d.validityStatus(at).mid(8)); // "expired 4 days ago" -> "4 days ago"
        break;
    case Validity::Valid:
        status = tr("%1% used, %2 left")
                     .arg(qRound(lifetimeUsed(d, at) * 100))
                     .arg(d.validityStatus(at).mid(18)); // "valid, expires in 70 days" -> "70 days"
        break;
    }
    QStringList lines {role + u" · "_s + keyText(d), name,
        tr("%1 → %2").arg(d.notBefore.date().toString(Qt::ISODate), d.notAfter.date().toString(Qt::ISODate)), status};
    if (!tile.problems.isEmpty())
        lines.append(u"✗ "_s + tile.problems.join(u"; "_s));
    else if (tile.issuerMissing)
        lines.append(u"✗ "_s + tr("issuer not found"));
    return lines.join(u'\n');
}

void ChainStrip::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    paint(painter, size());
}

void ChainStrip::paint(QPainter &painter, const QSize &size) const
{
    painter.setRenderHint(QPainter::Antialiasing);
    const QPalette &pal = palette();
    const bool dark = isDark(pal);
    const QColor text = pal.color(QPalette::Text);
    const QColor muted = pal.color(QPalette::PlaceholderText);
    const QColor bad = dark ? QColor(255, 110, 100) : QColor(190, 30, 30);
    const QColor good = dark ? QColor(90, 200, 120) : QColor(30, 140, 60);
    const QColor late = dark ? QColor(240, 190, 60) : QColor(200, 130, 0);
    QFont bold = font();
    bold.setBold(true);
    QFont small = font(); // the role and the dates: secondary, and long
    small.setPointSizeF(small.pointSizeF() * 0.9);
    const Metrics m = metrics(size.width());

    if (m_tiles.isEmpty()) {
        painter.setPen(muted);
        painter.drawText(QRect(QPoint(0, 0), size), Qt::AlignCenter, tr("No certificate"));
        return;
    }

    const QDateTime at = now();
    for (qsizetype i = 0; i < m_tiles.size(); ++i) {
        const Tile &tile = m_tiles.at(i);
        const CertificateDetails &d = tile.details;
        const QRect r(Padding + int(i) * (m.tileWidth + m.connector), Padding, m.tileWidth, m.tileHeight);
        const Validity validity = validityAt(d, at);
        const bool broken = !tile.problems.isEmpty() || tile.issuerMissing;
        const bool outOfDate = validity == Validity::Expired || validity == Validity::NotYetValid;

        // The tile: red frame when verification failed on it, a highlight when it is the current one.
        QColor fill = pal.color(QPalette::Base);
        if (i == m_current)
            fill = pal.color(QPalette::Highlight).lighter(dark ? 60 : 175);
        painter.setPen(QPen(broken || outOfDate ? bad : muted, broken || outOfDate ? 2.0 : 1.0,
            tile.sent ? Qt::SolidLine : Qt::DashLine));
        painter.setBrush(fill);
        painter.drawRoundedRect(QRectF(r).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6);
        painter.setBrush(Qt::NoBrush);

        const QStringList lines = tileText(i).split(u'\n');
        const int inner = r.width() - Padding * 2;
        int y = r.top() + Padding;
        auto drawLine = [&](const QString &s, const QColor &colour, const QFont &f, Qt::TextElideMode elide) {
            painter.setFont(f);
            painter.setPen(colour);
            const QFontMetrics lineMetrics(f);
            painter.drawText(QRect(r.left() + Padding, y, inner, m.line), Qt::AlignLeft | Qt::AlignVCenter,
                lineMetrics.elidedText(s, elide, inner));
            y += m.line;
        };
        drawLine(lines.value(0), muted, small, Qt::ElideRight); // role and key
        drawLine(lines.value(1), tile.sent ? text : muted, bold, Qt::ElideMiddle); // name

        // The validity bar: the lifetime from issue to expiry, filled up to now; a tick where now is.
        const QRect bar(r.left() + Padding, y + 3, inner, m.bar);
        const double used = lifetimeUsed(d, at);
        painter.setPen(QPen(muted, 1));
        painter.setBrush(pal.color(QPalette::AlternateBase));
        painter.drawRect(bar);
        QColor barColour = used >= 0.8 ? late : good;
        if (validity == Validity::Expired)
            barColour = bad;
        if (validity != Validity::NotYetValid && validity != Validity::Unknown) {
            painter.fillRect(
                QRect(bar.left() + 1, bar.top() + 1, int((bar.width() - 1) * used), bar.height() - 1), barColour);
        } else if (validity == Validity::NotYetValid) {
            painter.fillRect(bar.adjusted(1, 1, 0, 0), QBrush(bad, Qt::BDiagPattern));
        }
        if (validity == Validity::Valid) {
            const int x = bar.left() + int((bar.width() - 1) * used);
            painter.setPen(QPen(text, 2));
            painter.drawLine(x, bar.top() - 2, x, bar.bottom() + 2);
        }
        painter.setBrush(Qt::NoBrush);
        y += m.bar + 6;

        drawLine(lines.value(2), muted, small, Qt::ElideRight); // dates
        drawLine(lines.value(3), outOfDate ? bad : text, outOfDate ? bold : font(), Qt::ElideRight); // status
        if (lines.size() > 4)
            drawLine(lines.value(4), bad, font(), Qt::ElideRight); // the verdict

        // The link to the next tile (its issuer): an arrow, red and crossed when verification broke here.
        if (i + 1 < m_tiles.size() || tile.issuerMissing) {
            const int x0 = r.right() + 3;
            const int x1 = r.right() + m.connector - 3;
            const int cy = r.center().y();
            painter.setPen(QPen(broken ? bad : muted, broken ? 2.0 : 1.5, broken ? Qt::DashLine : Qt::SolidLine));
            painter.drawLine(x0, cy, x1, cy);
            QPainterPath head;
            head.moveTo(x1, cy);
            head.lineTo(x1 - 7, cy - 4);
            head.lineTo(x1 - 7, cy + 4);
            head.closeSubpath();
            painter.fillPath(head, broken ? bad : muted);
            if (broken) {
                const int cx = (x0 + x1) / 2;
                painter.setPen(QPen(bad, 2));
                painter.drawLine(cx - 4, cy - 12, cx + 4, cy - 4);
                painter.drawLine(cx - 4, cy - 4, cx + 4, cy - 12);
            }
        }
    }
    painter.setFont(font());
}

bool ChainStrip::event(QEvent *event)
{
    // A tile's whole text, where a narrow pane elides it.
    if (event->type() == QEvent::ToolTip) {
        const auto *help = static_cast<QHelpEvent *>(event);
        const qsizetype index = tileAt(help->pos());
        if (index >= 0)
            QToolTip::showText(help->globalPos(), tileText(index), this, tileRect(index));
        else
            QToolTip::showText(help->globalPos(), toolTip(), this);
        return true;
    }
    return QWidget::event(event);
}

void ChainStrip::mousePressEvent(QMouseEvent *event)
{
    const qsizetype index = tileAt(event->position().toPoint());
    if (index >= 0 && event->button() == Qt::LeftButton) {
        setCurrentTile(index);
        Q_EMIT certificateActivated(index);
        return;
    }
    QWidget::mousePressEvent(event);
}

void ChainStrip::keyPressEvent(QKeyEvent *event)
{
    if (m_tiles.isEmpty()) {
        QWidget::keyPressEvent(event);
        return;
    }
    switch (event->key()) {
    case Qt::Key_Left:
        setCurrentTile(std::max<qsizetype>(m_current - 1, 0));
        break;
    case Qt::Key_Right:
        setCurrentTile(std::min<qsizetype>(m_current + 1, m_tiles.size() - 1));
        break;
    case Qt::Key_Return:
    case Qt::Key_Enter:
    case Qt::Key_Space:
        if (m_current >= 0)
            Q_EMIT certificateActivated(m_current);
        break;
    default:
        QWidget::keyPressEvent(event);
    }
}

void ChainStrip::contextMenuEvent(QContextMenuEvent *event)
{
    auto *menu = new QMenu(this);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    QAction *save = menu->addAction(tr("Save as PNG…"));
    save->setObjectName(u"saveChainPngAction"_s);
    save->setEnabled(!m_tiles.isEmpty());
    connect(save, &QAction::triggered, this, &ChainStrip::chooseImageFile);
    const qsizetype index = tileAt(event->pos());
    if (index >= 0) {
        QAction *open = menu->addAction(tr("Open certificate"));
        connect(open, &QAction::triggered, this, [this, index] { Q_EMIT certificateActivated(index); });
    }
    menu->popup(event->globalPos());
}

QImage ChainStrip::toImage() const
{
    // At least its natural width: a saved picture is read on its own, without a tooltip to spell out elided text.
    const QSize size(std::max(isVisible() ? width() : 0, sizeHint().width()), sizeHint().height());
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    image.fill(palette().color(QPalette::Window));
    QPainter painter(&image);
    painter.setFont(font());
    paint(painter, size);
    painter.end();
    return image;
}

bool ChainStrip::savePng(const QString &path, QString *error) const
{
    QSaveFile file(path);
    const bool written = file.open(QIODevice::WriteOnly) && toImage().save(&file, "PNG") && file.commit();
    if (!written && error)
        *error = file.errorString().isEmpty() ? tr("the image could not be encoded") : file.errorString();
    return written;
}

void ChainStrip::chooseImageFile()
{
    auto *dialog = new QFileDialog(this, tr("Save chain as PNG"), QString(), tr("PNG image (*.png)"));
    dialog->setObjectName(u"chainPngFileDialog"_s);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setDefaultSuffix(u"png"_s);
    dialog->selectFile(u"chain.png"_s);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        QString error;
        const bool ok = savePng(path, &error);
        Q_EMIT imageSaved(ok, ok ? tr("Chain written to %1").arg(path) : tr("Could not write %1: %2").arg(path, error));
    });
    dialog->open();
}

} // namespace TlsLab::Widgets
