namespace EdgeTwin.Hl7v2;

/// <summary>The HL7 table 0357 message error condition codes the driver and the alarm reporter report in ERR-3.</summary>
public enum Hl7ErrorCode
{
    SegmentSequenceError = 100,
    RequiredFieldMissing = 101,
    DataTypeError = 102,
    TableValueNotFound = 103,
    UnsupportedMessageType = 200,
    UnsupportedEventCode = 201,
    UnsupportedProcessingId = 202,
    UnsupportedVersionId = 203,
    UnknownKeyIdentifier = 204,
    ApplicationInternalError = 207,
}
