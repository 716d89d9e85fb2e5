namespace EdgeTwin.Drivers.Hl7;

/// <summary>The HL7 table 0357 message error condition codes this driver reports in ERR-3.</summary>
internal enum Hl7ErrorCode
{
    SegmentSequenceError = 100,
    RequiredFieldMissing = 101,
    DataTypeError = 102,
    UnsupportedMessageType = 200,
    UnsupportedEventCode = 201,
    UnsupportedProcessingId = 202,
    UnsupportedVersionId = 203,
    ApplicationInternalError = 207,
}
