<?xml version="1.0" encoding="utf-8"?>
<!-- Shows an RSS 2.0 or Atom feed opened in a browser as a readable page. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/"
                exclude-result-prefixes="atom dc">
  <xsl:output method="html" encoding="utf-8" doctype-system="about:legacy-compat"/>
  <xsl:template match="/">
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="rss/channel/title | atom:feed/atom:title"/>（订阅源）</title>
        <style>
          body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; color: #1a1a1a;
                 max-width: 60rem; margin: 0 auto; padding: 1rem; line-height: 1.8; overflow-wrap: anywhere; }
          a { color: #0b4f9c; }
          .about { background: #f4f4f2; border-left: 4px solid #8b1a1a; padding: 0.5rem 1rem; }
          ul { list-style: none; padding: 0; }
          li { border-bottom: 1px solid #c8c8c8; padding: 0.5rem 0; }
          .facts { color: #4a4a4a; font-size: 0.9rem; margin: 0; }
        </style>
      </head>
      <body>
        <main>
          <h1><xsl:value-of select="rss/channel/title | atom:feed/atom:title"/></h1>
          <p class="about">这是一个订阅源。把本页地址复制到 RSS 阅读器或“RSS 转邮件”服务中，即可在有新文件时收到提醒。
            <a href="{rss/channel/link | atom:feed/atom:link[@rel='alternate']/@href}">返回网站</a></p>
          <ul>
            <xsl:for-each select="rss/channel/item">
              <li>
                <a href="{link}"><xsl:value-of select="title"/></a>
                <p class="facts"><xsl:value-of select="dc:creator"/><xsl:text> </xsl:text><xsl:value-of select="substring(pubDate, 6, 11)"/></p>
              </li>
            </xsl:for-each>
            <xsl:for-each select="atom:feed/atom:entry">
              <li>
                <a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a>
                <p class="facts"><xsl:value-of select="atom:author/atom:name"/><xsl:text> </xsl:text><xsl:value-of select="substring(atom:published, 1, 10)"/></p>
              </li>
            </xsl:for-each>
          </ul>
        </main>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
