<?php
/**
 * deploy/devwiki: let MediaWiki 1.39's Parsoid REST routes answer clients that ask for a
 * newer HTML spec version instead of refusing them. Copied into each wiki's DIR by `up`.
 *
 * parsoid-rs (used by mwbot, hence by partnerbot) always sends
 *   Accept: text/html; charset=utf-8; profile="https://www.mediawiki.org/wiki/Specs/HTML/2.8.0"
 * which is what current MediaWiki (Meta-Wiki) serves. 1.39 only produces HTML 2.6.0, and
 * Parsoid's content negotiation answers every such request with 406 Not Acceptable. The
 * differences between 2.6 and 2.8 (DISPLAYTITLE/DEFAULTSORT markup, some media markup) do not
 * matter for a development wiki, so these subclasses of the legacy rest.php/{domain}/v3
 * handlers serve the newest version they have to any request for a 2.x version. The response's
 * Content-Type still names the version actually served (2.6.0).
 */

use Wikimedia\Parsoid\Parsoid;

trait DevwikiLenientParsoidAccept {
	protected function acceptable( array &$attribs ): bool {
		if ( parent::acceptable( $attribs ) ) {
			return true;
		}
		$accept = $this->getRequest()->getHeaderLine( 'Accept' );
		if ( preg_match( '#Specs/(HTML|pagebundle)/2\.\d+\.\d+#', $accept ) ) {
			$attribs['envOptions']['outputContentVersion'] = Parsoid::defaultHTMLVersion();
			return true;
		}
		return false;
	}
}

class DevwikiParsoidPageHandler extends MWParsoid\Rest\Handler\PageHandler {
	use DevwikiLenientParsoidAccept;
}

class DevwikiParsoidTransformHandler extends MWParsoid\Rest\Handler\TransformHandler {
	use DevwikiLenientParsoidAccept;
}
