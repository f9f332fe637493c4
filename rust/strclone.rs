// SPDX-License-Identifier: GPL-2.0

//! strclone: SVR4 STREAMS clone devices for Linux.
//!
//! Skeleton: registers `/dev/clone-ptmx`, which a user program can open and close.

use kernel::{
    fs::File,
    miscdevice::{MiscDevice, MiscDeviceOptions, MiscDeviceRegistration},
    prelude::*,
};

module! {
    type: StrClone,
    name: "strclone",
    authors: ["strclone developers"],
    description: "SVR4 STREAMS clone devices",
    license: "GPL",
}

#[pin_data]
struct StrClone {
    #[pin]
    _ptmx: MiscDeviceRegistration<ClonePtmx>,
}

impl kernel::InPlaceModule for StrClone {
    fn init(_module: &'static ThisModule) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            _ptmx <- MiscDeviceRegistration::register(MiscDeviceOptions { name: c"clone-ptmx" }),
        })
    }
}

struct ClonePtmx;

#[vtable]
impl MiscDevice for ClonePtmx {
    type Ptr = KBox<Self>;

    fn open(_file: &File, _misc: &MiscDeviceRegistration<Self>) -> Result<KBox<Self>> {
        Ok(KBox::new(ClonePtmx, GFP_KERNEL)?)
    }
}

#[kunit_tests(strclone_skeleton)]
mod tests {
    #[test]
    fn arithmetic_holds() {
        assert_eq!(2 + 2, 4);
    }
}
