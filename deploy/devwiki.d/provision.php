<?php
/**
 * Idempotent provisioning for a deploy/devwiki development wiki.
 *
 * Run by deploy/devwiki (never by hand, though it is harmless) as
 *   MW_INSTALL_PATH=/usr/share/mediawiki MW_CONFIG_FILE=DIR/LocalSettings.php \
 *     php provision.php --interwiki --botpassword-file DIR/bot-password
 *
 * It lives outside the stock maintenance scripts because two things need
 * an "insert or update" that core does not offer from the command line:
 *  - a Meta-Wiki-like interwiki map (core's install only seeds a generic list
 *    with iw_local=0, and has no script to change rows), and
 *  - a bot password that must end up with *our* password and grants whether
 *    or not a previous, possibly interrupted, run already created it
 *    (createBotPassword.php refuses to touch an existing one).
 */

$IP = getenv( 'MW_INSTALL_PATH' ) ?: '/usr/share/mediawiki';
require_once "$IP/maintenance/Maintenance.php";

use MediaWiki\MediaWikiServices;

class DevwikiProvision extends Maintenance {
	/** Language prefixes that, as on Meta-Wiki, point at the Wikipedias. */
	private const LANGS = [ 'de', 'fr', 'es', 'it', 'pt', 'pl', 'nl', 'ru', 'ja', 'zh', 'ar', 'sv', 'en' ];

	public function __construct() {
		parent::__construct();
		$this->addDescription( 'Provision a deploy/devwiki wiki (interwiki map, bot password).' );
		$this->addOption( 'interwiki', 'Upsert the Meta-Wiki-like interwiki prefixes' );
		$this->addOption( 'botpassword-file',
			'File holding the bot password to create/update for --user@--appid', false, true );
		$this->addOption( 'user', 'Bot account (Partnerbot)', false, true );
		$this->addOption( 'appid', 'Bot password app id (partnerbot)', false, true );
		$this->addOption( 'grants', 'Comma-separated grants', false, true );
	}

	public function execute() {
		if ( $this->hasOption( 'interwiki' ) ) {
			$this->setupInterwiki();
		}
		if ( $this->hasOption( 'botpassword-file' ) ) {
			$this->setupBotPassword();
		}
	}

	private function setupInterwiki() {
		$rows = [];
		$add = static function ( $prefix, $host, $wikiId ) use ( &$rows ) {
			$rows[] = [
				'iw_prefix' => $prefix,
				'iw_url' => "https://$host/wiki/\$1",
				'iw_api' => "https://$host/w/api.php",
				'iw_wikiid' => $wikiId,
				// iw_local=1 as on Meta: these are "local" (trusted, forwardable) interwikis.
				'iw_local' => 1,
				'iw_trans' => 0,
			];
		};
		$add( 'm', 'meta.wikimedia.org', 'metawiki' );
		$add( 'meta', 'meta.wikimedia.org', 'metawiki' );
		$add( 'w', 'en.wikipedia.org', 'enwiki' );
		$add( 'wikipedia', 'en.wikipedia.org', 'enwiki' );
		foreach ( self::LANGS as $lang ) {
			$add( $lang, "$lang.wikipedia.org", "{$lang}wiki" );
		}

		$dbw = $this->getDB( DB_PRIMARY );
		$dbw->replace( 'interwiki', 'iw_prefix', $rows, __METHOD__ );

		// Drop any cached lookups (only matters if a real object cache is configured).
		$lookup = MediaWikiServices::getInstance()->getInterwikiLookup();
		foreach ( $rows as $row ) {
			$lookup->invalidateCache( $row['iw_prefix'] );
		}
		$this->output( 'Interwiki prefixes set: ' . implode( ' ', array_column( $rows, 'iw_prefix' ) ) . "\n" );
	}

	private function setupBotPassword() {
		$file = $this->getOption( 'botpassword-file' );
		$userName = $this->getOption( 'user', 'Partnerbot' );
		$appId = $this->getOption( 'appid', 'partnerbot' );
		$grants = explode( ',', $this->getOption( 'grants', 'basic' ) );

		$password = trim( (string)@file_get_contents( $file ) );
		// MediaWiki only treats a login as a bot-password login if the password looks like a
		// generated one; anything else silently becomes a main-account login attempt.
		if ( !preg_match( '/^[0-9a-w]{32,}$/', $password ) ) {
			$this->fatalError( "Bot password in $file must match ^[0-9a-w]{32,}\$" );
		}

		$services = MediaWikiServices::getInstance();
		$invalid = array_diff( $grants, $services->getGrantsInfo()->getValidGrants() );
		if ( $invalid ) {
			$this->fatalError( 'Invalid grants: ' . implode( ', ', $invalid ) );
		}
		$user = $services->getUserIdentityLookup()->getUserIdentityByName( $userName );
		if ( !$user || !$user->isRegistered() ) {
			$this->fatalError( "User $userName does not exist" );
		}

		$existing = BotPassword::newFromUser( $user, $appId, BotPassword::READ_LATEST );
		$bp = BotPassword::newUnsaved(
			[ 'user' => $user, 'appId' => $appId, 'grants' => $grants ], BotPassword::READ_LATEST );
		if ( !$bp ) {
			$this->fatalError( 'Could not build bot password' );
		}
		$hash = $services->getPasswordFactory()->newFromPlaintext( $password );
		$status = $bp->save( $existing ? 'update' : 'insert', $hash );
		if ( !$status->isGood() ) {
			$this->fatalError( "Saving bot password failed:\n" . $status->getWikiText( false, false, 'en' ) );
		}
		$this->output( ( $existing ? 'Updated' : 'Created' ) . " bot password $userName@$appId\n" );
	}
}

$maintClass = DevwikiProvision::class;
require_once RUN_MAINTENANCE_IF_MAIN;
