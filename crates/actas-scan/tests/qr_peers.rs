//! actas-scan against its peers (zbar, zxing-cpp, OpenCV's WeChat detector without its CNN
//! models) on ZXing's blackbox QR sets and on the test images other QR projects ship
//! (`bench/fetch-qr-test-images.sh`): it must read correctly every image any peer reads
//! correctly, and never return a wrong text where the truth is known. A peer's wrong read counts
//! for nothing. `bench/qr-peers.sh` prints the same verdicts with speeds.
#[path = "common/peers.rs"]
mod peers;
#[path = "common/zxing.rs"]
mod zxing;

#[test]
fn reads_every_code_a_peer_reads_and_no_wrong_text() {
    let (zdir, idir) = (zxing::default_dir(), peers::images_dir());
    if let Some(why) = peers::missing(&zdir, &idir) {
        return actas_testkit::unavailable(&why);
    }
    let images = peers::load(&zdir, &idir);
    assert!(
        images.len() >= 200,
        "ZXing's 180 images and the other sets'"
    );
    let reads = peers::read_all(&images, 2);
    let verdicts = peers::judge(&images, &reads);
    eprint!("{}", peers::table(&images, &reads, &verdicts));
    let short = peers::shortfalls(&images, &verdicts);
    assert!(short.is_empty(), "{}", short.join("\n"));
}

#[test]
fn zbar_xml_symbols_are_parsed() {
    let xml = "<symbol><data><![CDATA[a]]]]><![CDATA[>b\nc]]></data></symbol>\
               <symbol><data format='base64' length='2'><![CDATA[\naGk=\n]]></data></symbol>";
    assert_eq!(
        peers::parse_zbar_xml(xml),
        vec![("a]]>b\nc".to_string(), false), ("hi".into(), true)]
    );
}
