// Renders the application's SVG icon to the PNG sizes of the hicolor icon theme, at build time.
// Uses QtSvg, which the application already needs, so packaging adds no image tool to the build dependencies; and the
// PNGs come out of the same renderer that draws the icon inside the application.
//
//   tlslab_iconrender INPUT.svg OUTPUT_DIR NAME SIZE...   writes OUTPUT_DIR/<SIZE>x<SIZE>/apps/NAME.png

#include <QDir>
#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <QSvgRenderer>

#include <cstdio>

int main(int argc, char *argv[])
{
    // No windows: the offscreen platform keeps this working on build machines without a display.
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    if (args.size() < 5) {
        std::fprintf(stderr, "usage: tlslab_iconrender INPUT.svg OUTPUT_DIR NAME SIZE...\n");
        return 2;
    }
    QSvgRenderer renderer(args.at(1));
    if (!renderer.isValid()) {
        std::fprintf(stderr, "tlslab_iconrender: %s is not a valid SVG file\n", qPrintable(args.at(1)));
        return 1;
    }
    const QDir outputDir(args.at(2));
    for (const QString &sizeText : args.mid(4)) {
        bool ok = false;
        const int size = sizeText.toInt(&ok);
        if (!ok || size <= 0 || size > 4096) {
            std::fprintf(stderr, "tlslab_iconrender: '%s' is not an icon size\n", qPrintable(sizeText));
            return 2;
        }
        QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::transparent);
        {
            QPainter painter(&image);
            painter.setRenderHint(QPainter::Antialiasing);
            renderer.render(&painter);
        }
        const QString subdir = QStringLiteral("%1x%1/apps").arg(size);
        const QString path = outputDir.filePath(subdir + QLatin1Char('/') + args.at(3) + QStringLiteral(".png"));
        if (!outputDir.mkpath(subdir) || !image.save(path, "PNG")) {
            std::fprintf(stderr, "tlslab_iconrender: cannot write %s\n", qPrintable(path));
            return 1;
        }
    }
    return 0;
}
